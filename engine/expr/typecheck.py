"""Type-checking an expression against a form: every name known, every operator and function given
the types it takes — refused with the position and a message in Chinese and English. The result
also says, per database, what cannot be compiled to SQL (so callers never get another answer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from rapidfuzz import fuzz, process

from engine.expr.errors import ExpressionError
from engine.expr.functions import functions, zh_type
from engine.expr.nodes import (
    BOOL,
    DATE,
    DATETIME,
    NULL,
    NUMBER,
    TEXT,
    Binary,
    Call,
    FieldRef,
    InList,
    Literal,
    Node,
    Type,
    Unary,
    children,
)
from engine.expr.parser import MAX_LENGTH, parse
from engine.expr.scope import Scope

DIALECTS = ("sqlite", "postgresql", "duckdb")
NATIVE_ONLY = ("postgresql", "duckdb")
"""Dialects where only SQL the database spells itself can run; on SQLite, Tangram registers its own
functions (engine/expr/sqlite_functions.py), so every function, operator and decimal runs there."""
CONTEXT_FUNCTIONS = ("TODAY", "NOW", "CURRENT_USER", "INPERIOD")
ARITHMETIC = {"+", "-", "*", "/"}
ORDER = {"<", "<=", ">", ">="}


@dataclass
class Checked:
    """A type-checked expression: its tree, its result type, and what keeps it out of SQL per dialect."""

    text: str
    node: Node
    type: Type
    not_in_sql: dict[str, list[str]] = field(default_factory=lambda: {d: [] for d in DIALECTS})
    fields: set[str] = field(default_factory=set)

    def compiles_to(self, dialect: str) -> bool:
        return not self.not_in_sql.get(dialect)


def _err(node: Node, zh: str, en: str) -> ExpressionError:
    return ExpressionError(node.line, node.column, zh, en)


class _Checker:
    def __init__(self, scope: Scope, text: str) -> None:
        self.scope = scope
        self.result = Checked(text, Literal(1, 1), NULL)

    def block(self, dialects: tuple[str, ...], why: str) -> None:
        for d in dialects:
            if why not in self.result.not_in_sql[d]:
                self.result.not_in_sql[d].append(why)

    def visit(self, node: Node) -> Type:
        if isinstance(node, list):  # `[…]` anywhere but after IN: the parser leaves it a bare list
            first = node[0] if node else None
            raise ExpressionError(getattr(first, "line", 1), getattr(first, "column", 1), "列表只能用在 IN 之后",
                                  "a list can only follow IN")
        node.type = getattr(self, type(node).__name__.lower())(node)
        return node.type

    def literal(self, node: Literal) -> Type:
        v = node.value
        if isinstance(v, date):  # never parsed: a list filter's value (filter[signed_on][gt]=…) as a node
            return DATETIME if isinstance(v, datetime) else DATE
        return BOOL if isinstance(v, bool) else NUMBER if isinstance(v, Decimal) else TEXT if isinstance(v, str) else NULL

    def fieldref(self, node: FieldRef) -> Type:
        scope, path = self.scope, node.path
        self.result.fields.add(path[0])
        if path[0] in scope.open_roots:
            return NULL  # JSON from outside: its type is the value's own, checked where it is used
        if len(path) == 1:
            if path[0] in scope.names:
                return scope.names[path[0]]
            if path[0] in scope.unusable:
                raise _err(node, f"字段 {path[0]}（{scope.unusable[path[0]]}）不能用在表达式中",
                           f"field {path[0]!r} ({scope.unusable[path[0]]}) cannot be used in expressions")
            raise self.unknown(node, path[0], list(scope.names))
        if path in scope.columns:
            self.block(NATIVE_ONLY, "明细列 / sub_table columns")
            return scope.columns[path]
        if path in scope.lookups:
            return scope.lookups[path]
        known = [".".join(p) for p in (*scope.columns, *scope.lookups)]
        raise self.unknown(node, ".".join(path), known)

    def unknown(self, node: Node, name: str, known: list[str]) -> ExpressionError:
        best = process.extractOne(name, known, scorer=fuzz.ratio, score_cutoff=70) if known else None
        hint_zh = f"，是不是“{best[0]}”？" if best else ""
        hint_en = f"; did you mean {best[0]!r}?" if best else ""
        return _err(node, f"表单“{self.scope.form.name}”没有字段 {name}{hint_zh}",
                    f"form {self.scope.form.key!r} has no field {name!r}{hint_en}")

    def unary(self, node: Unary) -> Type:
        assert node.operand is not None
        t = self.visit(node.operand)
        wanted = BOOL if node.op == "NOT" else NUMBER
        if t not in (wanted, NULL):
            raise _err(node, f"{'NOT' if node.op == 'NOT' else '负号'} 需要{zh_type(str(wanted))}，这里是{zh_type(str(t))}",
                       f"{node.op} needs {wanted}, not {t}")
        return wanted

    def binary(self, node: Binary) -> Type:
        assert node.left is not None and node.right is not None
        a, b = self.visit(node.left), self.visit(node.right)
        op = node.op
        if op in ("AND", "OR"):
            for side, t in ((node.left, a), (node.right, b)):
                if t not in (BOOL, NULL):
                    raise _err(side, f"{op} 两边应为条件（是/否），这里是{zh_type(str(t))}", f"{op} joins conditions, not {t}")
            return BOOL
        if op == "&":
            if not all(t in (TEXT, NULL) for t in (a, b)):
                self.block(NATIVE_ONLY, "& 连接非文本 / & with non-text")
            if a.is_list or b.is_list:
                raise _err(node, "& 不能连接列表", "& cannot join lists")
            return TEXT
        if op in ARITHMETIC:
            return self.arithmetic(node, a, b)
        return self.compare(node, a, b)

    def arithmetic(self, node: Binary, a: Type, b: Type) -> Type:
        op = node.op
        if {a, b} <= {NUMBER, NULL}:
            if op == "/":  # DuckDB divides decimals in binary floating point
                self.block(("duckdb",), "DuckDB 的小数除法不精确 / decimal division on DuckDB")
            return NUMBER
        if op in "+-" and a in (DATE, DATETIME) and b in (NUMBER, NULL):
            self.block(NATIVE_ONLY, "日期加减 / date arithmetic")
            return a
        if op == "-" and a == b and a in (DATE, DATETIME):
            self.block(NATIVE_ONLY, "日期相减 / date difference")
            return NUMBER
        raise _err(node, f"不能对{zh_type(str(a))}和{zh_type(str(b))}做 {op} 运算", f"cannot apply {op} to {a} and {b}")

    def compare(self, node: Binary, a: Type, b: Type) -> Type:
        if a.is_list or b.is_list:
            raise _err(node, "列表不能直接比较，请用 SUM/COUNT 等函数或 IN", "lists cannot be compared; use SUM, COUNT or IN")
        if NULL not in (a, b) and a != b:
            raise _err(node, f"不能比较{zh_type(str(a))}和{zh_type(str(b))}", f"cannot compare {a} with {b}")
        if node.op in ORDER and BOOL in (a, b):
            raise _err(node, "是/否不能比较大小", "yes/no values have no order")
        if node.op in ORDER and a == b == TEXT:  # DuckDB lacks PostgreSQL's ICU: the primary database answers
            self.block(("duckdb",), "DuckDB 不能按中文顺序比较文本 / text order on DuckDB")
        return BOOL

    def inlist(self, node: InList) -> Type:
        assert node.item is not None
        item = self.visit(node.item)
        for option in node.options:
            t = self.visit(option)
            if NULL not in (t, item) and t != item:
                raise _err(option, f"IN 列表中的值应为{zh_type(str(item))}", f"values after IN must be {item}")
        return BOOL

    def call(self, node: Call) -> Type:
        if node.name not in functions:
            names = functions.keys() + list(CONTEXT_FUNCTIONS)
            best = process.extractOne(node.name, names, scorer=fuzz.ratio, score_cutoff=70)
            hint = (f"，是不是 {best[0]}？", f"; did you mean {best[0]}?") if best else ("", "")
            raise _err(node, f"没有函数 {node.name}{hint[0]}", f"unknown function {node.name}{hint[1]}")
        fn = functions.get(node.name)
        count = len(node.args)
        if count < fn.min_args or (fn.max_args is not None and count > fn.max_args):
            wanted = f"{fn.min_args}" if fn.min_args == fn.max_args else f"{fn.min_args}–{fn.max_args or '多'}"
            raise _err(node, f"{fn.name} 需要 {wanted} 个参数，给了 {count} 个",
                       f"{fn.name} takes {wanted.replace('多', 'any')} argument(s), {count} given")
        args = [self.visit(a) for a in node.args]
        result = fn.type_rule(node, args)
        if node.name not in CONTEXT_FUNCTIONS and not _days_between(node):
            for d in NATIVE_ONLY:
                if d not in fn.sql:
                    self.block((d,), f"{fn.name}()")
        return result


def _days_between(node: Call) -> bool:
    """DATEDIF(a, b, "D") compiles to SQL (the compiler spells it); months and years stay in Python."""
    unit = node.args[2] if node.name == "DATEDIF" and len(node.args) == 3 else None
    return isinstance(unit, Literal) and str(unit.value).upper() == "D"


def _first(node: Node) -> Node:
    """The leftmost part of an expression: where the whole of it starts."""
    kids = children(node)
    return _first(kids[0]) if kids and (kids[0].line, kids[0].column) < (node.line, node.column) else node


def check(text: str, scope: Scope, *, expect: Type | None = None, max_length: int = MAX_LENGTH) -> Checked:
    """Parse and type-check `text` on the scope's form; `expect` (e.g. BOOL for a rule) is enforced."""
    node = parse(text, max_length)
    checker = _Checker(scope, text)
    result_type = checker.visit(node)
    if expect is not None and result_type not in (expect, NULL):
        raise _err(_first(node), f"表达式的结果应为{zh_type(str(expect))}，实际为{zh_type(str(result_type))}",
                   f"the expression must give {expect}, not {result_type}")
    checker.result.node, checker.result.type = node, result_type
    return checker.result


def check_node(node: Node, scope: Scope, text: str = "") -> Checked:
    """Type-check an already parsed (sub)tree, e.g. the argument of a report measure's aggregate."""
    checker = _Checker(scope, text)
    result_type = checker.visit(node)
    checker.result.node, checker.result.type = node, result_type
    return checker.result
