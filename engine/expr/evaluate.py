"""Evaluating a checked expression in Python over a record's stored values.

Blank (None) follows SQL: arithmetic and order comparisons (< <= > >=) with a blank give blank,
AND/OR use three-valued logic, a blank condition counts as not met; `&` reads a blank as empty text;
division by zero gives blank. Equality is the exception, never blank: a blank equals a blank and no
value, so `x != "a"` holds for a blank x (as "is not 流失" keeps the records with no status), and
`x = "a"` / `x IN […]` are FALSE for it (SQL's IS [NOT] DISTINCT FROM). Numbers are exact decimals.
Text orders in Chinese order (engine/text_order.py), as lists sort it and as every database compares it;
equality is exact."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from engine.expr.functions import functions
from engine.expr.functions.dates import add_days, in_period, period_of
from engine.expr.functions.logic import kleene_and, kleene_not, kleene_or
from engine.expr.functions.text import show
from engine.expr.nodes import BOOL, DATE, DATETIME, NUMBER, Binary, Call, FieldRef, InList, Literal, Node, Type, Unary
from engine.expr.typecheck import Checked
from engine.text_order import sort_key


@dataclass(frozen=True)
class EvalContext:
    """The moment (TODAY, NOW), the time zone dates are read in, and the current user. The caller passes
    the moment (a request's or a job's time): the engine reads no clock."""

    now: datetime
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    user: str | None = None

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.timezone)


def load(value: Any, kind: Type, timezone: ZoneInfo) -> Any:
    """A stored JSON value as the expression sees it: numbers as Decimal, dates as date objects."""
    if value is None:
        return None
    if kind.item is not None:  # a list
        item = kind.item
        return [load(v, item, timezone) for v in value] if isinstance(value, list) else None
    if kind == NUMBER:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    if kind == DATE:
        return value if isinstance(value, date) else date.fromisoformat(value)
    if kind == DATETIME:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        return moment.astimezone(timezone)
    if kind == BOOL:
        return bool(value)
    return value


def compare_values(op: str, a: Any, b: Any) -> Any:
    if op in ("=", "!="):  # never blank: a blank equals a blank only (see the module)
        return (a == b) == (op == "=")
    if a is None or b is None:
        return None
    if op not in ("=", "!=") and isinstance(a, str) and isinstance(b, str):
        a, b = sort_key(a), sort_key(b)  # the keys are unique per text: = on them would be = on texts
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def arithmetic(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if isinstance(a, datetime) and isinstance(b, datetime):
        return Decimal((a - b).total_seconds()) / 86400
    if isinstance(a, date) and isinstance(b, date):
        return Decimal((a - b).days)
    if isinstance(a, date):
        return add_days(a, b if op == "+" else -b)
    try:
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[op]()
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None


class PathValues(Mapping[str, Any]):
    """Values read by their whole path (`payload.order.lines[0].sku`), not by a flat key: a JSON document."""

    def at(self, path: tuple[str, ...]) -> Any:
        """The value at `path`, as the expression sees it; None where the path leads nowhere."""
        raise NotImplementedError


class OpenValues(dict[str, Any]):
    """A record's values (read by key, as a dict) with open roots read by their whole path (a flow step's
    `http.<step>.body…`: the answers of earlier HTTP calls)."""

    def __init__(self, values: Mapping[str, Any], roots: Mapping[str, PathValues]) -> None:
        super().__init__(values)
        self.roots = dict(roots)


class _Evaluator:
    def __init__(self, values: Mapping[str, Any], ctx: EvalContext) -> None:
        self.values, self.ctx = values, ctx

    def run(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, FieldRef):
            if isinstance(self.values, PathValues):
                return self.values.at(node.path)
            if isinstance(self.values, OpenValues) and node.path[0] in self.values.roots:
                return self.values.roots[node.path[0]].at(node.path)
            key = ".".join(node.path)
            return load(self.values.get(key), node.type or NUMBER, self.ctx.timezone)
        if isinstance(node, Unary):
            value = self.run(node.operand)
            return kleene_not(value) if node.op == "NOT" else (None if value is None else -value)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            item = self.run(node.item)
            found = any(compare_values("=", item, self.run(o)) for o in node.options)
            return (not found) if node.negated else found
        assert isinstance(node, Call)
        return self.call(node)

    def binary(self, node: Binary) -> Any:
        a, b = self.run(node.left), self.run(node.right)
        if node.op == "AND":
            return kleene_and(a, b)
        if node.op == "OR":
            return kleene_or(a, b)
        if node.op == "&":
            return show(a) + show(b)
        if node.op in "+-*/":
            return arithmetic(node.op, a, b)
        return compare_values(node.op, a, b)

    def call(self, node: Call) -> Any:
        if node.name == "TODAY":
            return self.ctx.local_now.date()
        if node.name == "NOW":
            return self.ctx.local_now.replace(microsecond=0)
        if node.name == "CURRENT_USER":
            return self.ctx.user
        if node.name == "INPERIOD":
            period = period_of(node)
            assert period is not None  # the checker saw to it
            return in_period(self.run(node.args[0]), *period, self.ctx.local_now.date())
        return functions.get(node.name).py(*[self.run(a) for a in node.args])


def evaluate(checked: Checked, values: Mapping[str, Any], ctx: EvalContext) -> Any:
    """The value of the expression for one record. `values` holds stored values by field key, and
    `rel.field` / `table.column` keys for lookups and sub_table columns (a list of the column)."""
    return _Evaluator(values, ctx).run(checked.node)


def is_true(value: Any) -> bool:
    """How a condition's value decides: only TRUE passes; blank does not."""
    return value is True
