"""Compiling a checked expression to a SQLAlchemy expression, for filters that run in the database.

Field values come from a ColumnSource the runtime passes in (the engine knows no table). A field
compared with a constant becomes the source's index-friendly comparison, so `region = "华东"` uses
the form's expression index. Only expressions whose Checked says they compile for the dialect may
come here; anything else raises, never approximates.

Text is ordered in Chinese order, as Python orders it (engine/text_order.py): PostgreSQL compares
under ICU's collation `zh-x-icu`, SQLite compares Tangram's key `tg_text_key(…)` (registered on its
connections); DuckDB has neither, and the checker refuses text orderings there. Equality stays
plain and exact, so `=` keeps using the indexes on stored values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Date,
    Numeric,
    String,
    and_,
    bindparam,
    false,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    true,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TIMESTAMP

from engine.expr.evaluate import EvalContext
from engine.expr.functions import functions
from engine.expr.functions.dates import period_of, period_range
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
)
from engine.expr.typecheck import Checked
from engine.text_order import SQL_FUNCTION

ICU_CHINESE = "zh-x-icu"
"""PostgreSQL's ICU collation for Chinese order, the one lists sort text fields by."""
ORDERINGS = ("<", "<=", ">", ">=")
DAY_PARTS = ("YEAR", "MONTH", "DAY")


def _plain(left: Node, right: Node) -> bool:
    """Both sides are fields or constants: SQLite compares such numbers exactly (≤ 15 digits)."""
    return all(isinstance(n, FieldRef | Literal) for n in (left, right))


class ColumnSource(Protocol):
    """How the runtime spells a form's fields in SQL."""

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        """The stored value (NULL when blank), as a typed SQL expression; `exact` asks for the stored
        JSON value itself (decimals as their text) for Tangram's own SQLite functions."""

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        """`field op constant` in the index's own spelling, or None to fall back to value(); `!=` holds
        for a blank field (equality is never blank: engine/expr/evaluate.py). `op` is also "IN" (value:
        the constants, none of them blank) and "ISBLANK" (value None): never blank either; "COUNTIF"
        (a list field's items equal to the constant) gives the count, "HAS" whether there is one."""


def _constant(value: Any, kind: Type | None) -> Any:
    """A Python value as it is stored: dates in ISO, datetimes as the UTC text datetime fields hold."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Compiler:
    def __init__(self, dialect: str, source: ColumnSource, ctx: EvalContext) -> None:
        self.dialect, self.source, self.ctx = dialect, source, ctx

    def bind(self, value: Any, kind: Type | None) -> Any:
        if value is None:
            return null()
        if isinstance(value, bool):
            return true() if value else false()
        stored = _constant(value, kind)
        if isinstance(stored, Decimal):
            return bindparam(None, float(stored) if self.dialect == "sqlite" else stored, type_=Numeric())
        return bindparam(None, stored, type_=String())

    def run(self, node: Node, positive: bool = False) -> Any:
        """`positive`: the result only decides whether a row is kept (FALSE and blank alike), so a
        comparison may use the index's never-blank spelling; under NOT, IF or a function it may not."""
        if isinstance(node, Literal):
            return self.bind(node.value, node.type)
        if isinstance(node, FieldRef):
            column = self.source.value(".".join(node.path))
            return column == 1 if node.type == BOOL else column
        if isinstance(node, Unary):
            assert node.operand is not None
            if node.op == "-" and self.dialect == "sqlite":
                return func.tg_op("-", f"number,{node.operand.type}", self.zone, "0", self.exact(node.operand))
            operand = self.run(node.operand)
            return not_(operand) if node.op == "NOT" else -operand
        if isinstance(node, Binary):
            return self.binary(node, positive)
        if isinstance(node, InList):
            assert node.item is not None
            if self.dialect == "sqlite" and node.item.type == NUMBER and not isinstance(node.item, FieldRef | Literal):
                equal = [func.tg_cmp("=", self.kinds([node.item, o]), self.zone, self.exact(node.item), self.exact(o)) == 1
                         for o in node.options]
                return not_(or_(*equal)) if node.negated else or_(*equal)
            constants = [o for o in node.options if isinstance(o, Literal) and o.value is not None]
            if positive and not node.negated and isinstance(node.item, FieldRef) and len(node.item.path) == 1 \
                    and node.item.type != BOOL and len(constants) == len(node.options):
                among = self.source.compare(node.item.path[0], "IN", [_constant(o.value, o.type) for o in constants])
                if among is not None:
                    return among  # the index's IN
            item = self.run(node.item)
            options = [self.run(o) for o in node.options]
            if positive and not node.negated and (self.never_blank(node.item)
                                                  or all(self.never_blank(o) for o in node.options)):
                return item.in_(options)  # FALSE and blank alike here (no blank meets a blank): the index's IN
            found = or_(*[item.is_not_distinct_from(o) for o in options])  # never blank, as `=`
            return not_(found) if node.negated else found
        assert isinstance(node, Call)
        if node.name == "INPERIOD":
            return self.run(self.period(node), positive)
        return self.call(node)

    def period(self, node: Call) -> Binary:
        """INPERIOD(d, "Q", 0) as `d >= first day AND d < first day after`, the days from the context's
        today; a datetime compares with local midnights, so it falls in by its local day."""
        period = period_of(node)
        assert period is not None  # the checker saw to it
        start, end = period_range(self.ctx.local_now.date(), *period)
        value = node.args[0]

        def bound(day: date) -> Literal:
            moment: date = day if value.type != DATETIME else datetime.combine(day, time(0), self.ctx.timezone)
            literal = Literal(node.line, node.column, moment)
            literal.type = DATETIME if value.type == DATETIME else DATE
            return literal

        pieces = [Binary(node.line, node.column, op, value, bound(day)) for op, day in ((">=", start), ("<", end))]
        for piece in pieces:
            piece.type = BOOL
        both = Binary(node.line, node.column, "AND", *pieces)
        both.type = BOOL
        return both

    def binary(self, node: Binary, positive: bool) -> Any:
        left, right = node.left, node.right
        assert left is not None and right is not None
        op = node.op
        if op in ("AND", "OR"):
            a, b = self.run(left, positive), self.run(right, positive)
            return and_(a, b) if op == "AND" else or_(a, b)
        if positive and op in ("=", "!=", "<", "<=", ">", ">=") and isinstance(left, FieldRef) \
                and isinstance(right, Literal) and right.value is not None and len(left.path) == 1 \
                and left.type != BOOL:
            indexed = self.source.compare(left.path[0], op, _constant(right.value, right.type))
            if indexed is not None:
                return indexed
        through = getattr(self.source, "compare_through", None)  # the mirror's: a semi-join, not a subquery a row
        if through is not None and positive and op == "=" and isinstance(left, FieldRef) and len(left.path) == 2 \
                and isinstance(right, Literal) and right.value is not None and left.type != BOOL:
            joined = through(left.path[0], left.path[1], _constant(right.value, right.type))
            if joined is not None:
                return joined
        if op == ">" and isinstance(right, Literal) and right.value == 0 and self.counted(left) is not None:
            assert isinstance(left, Call)
            held = self.source.compare(".".join(getattr(left.args[0], "path")), "HAS",  # noqa: B009 — counted() saw to it
                                       _constant(getattr(left.args[1], "value"), left.args[1].type))  # noqa: B009
            if held is not None:  # COUNTIF(tags, "VIP") > 0: the list holds it, as the database asks that
                # ... which is blank for a blank list (containment of NULL), where Python counts 0: FALSE
                return held if positive else func.coalesce(held, false())
        counted = self.counted(left) if isinstance(right, Literal) and op in ("=", "!=") + ORDERINGS else None
        if counted is not None:  # a whole count: every database compares it exactly
            return {"=": counted.__eq__, "!=": counted.__ne__, "<": counted.__lt__, "<=": counted.__le__,
                    ">": counted.__gt__, ">=": counted.__ge__}[op](self.run(right))
        if self.dialect == "sqlite" and (op in "+-*/" or op == "&" and not {left.type, right.type} <= {TEXT, NULL}):
            return func.tg_op(op, self.kinds([left, right]), self.zone, self.exact(left), self.exact(right))
        if self.dialect == "sqlite" and NUMBER in (left.type, right.type) and not _plain(left, right):
            return func.tg_cmp(op, self.kinds([left, right]), self.zone, self.exact(left), self.exact(right)) == 1
        a, b = self.run(left), self.run(right)
        if op in (*ORDERINGS, "=", "!=") and left.type == right.type == DATETIME:
            typed = self.typed_moment(left), self.typed_moment(right)
            if typed[0] is not None and typed[1] is not None:  # two mirror columns: compared as moments, not text
                a, b = typed
        if op in ORDERINGS and left.type == right.type == TEXT:
            a, b = self.in_text_order(a), self.in_text_order(b)
        if op == "&":
            if self.dialect != "sqlite":
                return func.concat(a, b)
            return func.coalesce(a, "").op("||")(func.coalesce(b, ""))
        if op == "/":
            return a / func.nullif(b, 0)
        if op == "*" and self.dialect == "duckdb":
            a, b = _wide(a), _wide(b)
        if op == "=" and positive and (self.never_blank(left) or self.never_blank(right)):
            return a == b  # FALSE and blank alike here: the plain `=` an index serves (owner = CURRENT_USER())
        # Equality is never blank (engine/expr/evaluate.py): IS [NOT] DISTINCT FROM.
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "=": lambda: a.is_not_distinct_from(b),
                "!=": lambda: a.is_distinct_from(b), "<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b,
                ">=": lambda: a >= b}[op]()

    def never_blank(self, node: Node) -> bool:
        """Is this side of `=` or IN surely not blank? Then SQL's plain `=` (NULL for a blank) keeps the rows
        Python keeps; otherwise a blank on both sides is equal in Python and must be IS NOT DISTINCT FROM."""
        if isinstance(node, Literal):
            return node.value is not None
        if isinstance(node, Call) and node.name in ("TODAY", "NOW"):
            return True
        return isinstance(node, Call) and node.name == "CURRENT_USER" and self.ctx.user is not None

    def counted(self, node: Node) -> Any:
        """COUNTIF(list field, constant) as the source counts it in SQL, or None."""
        if isinstance(node, Call) and node.name == "COUNTIF" and isinstance(node.args[0], FieldRef) \
                and len(node.args[0].path) == 1 and isinstance(node.args[1], Literal) and node.args[1].value is not None:
            return self.source.compare(node.args[0].path[0], "COUNTIF", _constant(node.args[1].value, node.args[1].type))
        return None

    def call(self, node: Call) -> Any:
        counted = self.counted(node)
        if counted is not None:
            return counted
        if node.name == "TODAY":
            return self.bind(self.ctx.local_now.date(), DATE)
        if node.name == "NOW":
            return self.bind(self.ctx.now.replace(microsecond=0), DATETIME)
        if node.name == "CURRENT_USER":
            return self.bind(self.ctx.user, None)
        if node.name == "ISBLANK" and isinstance(node.args[0], FieldRef) and len(node.args[0].path) == 1:
            blank = self.source.compare(node.args[0].path[0], "ISBLANK", None)
            if blank is not None:
                return blank
        if node.name == "ISBLANK" and node.args[0].type == TEXT:  # blank text is NULL or "" (LEFT(name, 0)), as in Python
            value = self.run(node.args[0])
            return or_(value.is_(None), value == bindparam(None, "", type_=String()))
        native = functions.get(node.name).sql.get(self.dialect)
        if node.name == "DATEDIF" and str(getattr(node.args[2], "value", "")).upper() == "D":
            return self.local_day(node.args[1]) - self.local_day(node.args[0])
        if node.name in DAY_PARTS and node.args[0].type == DATETIME and native is not None:
            return native([self.local_date(node.args[0])])  # the year, month, day of its local day
        if native is None:  # SQLite: Tangram's own implementation, registered on the connection
            return func.tg_fn(node.name, self.kinds(node.args), self.zone, *[self.exact(a) for a in node.args])
        return native([self.run(a) for a in node.args])

    def in_text_order(self, value: Any) -> Any:
        return in_text_order(value, self.dialect)

    @property
    def zone(self) -> str:
        return str(self.ctx.timezone)

    @staticmethod
    def kinds(nodes: list[Node]) -> str:
        return ",".join(str(n.type) for n in nodes)

    def exact(self, node: Node) -> Any:
        """An argument for Tangram's SQLite functions: fields as stored, the rest as compiled."""
        if isinstance(node, FieldRef) and node.type != BOOL:
            return self.source.value(".".join(node.path), exact=True)
        if isinstance(node, Literal) and isinstance(node.value, Decimal):
            return bindparam(None, str(node.value), type_=String())  # the decimal's own digits
        return self.run(node)

    def local_date(self, node: Node) -> Any:
        """A date, or a datetime as its moment in the app's time zone: what Python reads its day from."""
        value = self.run(node)
        if node.type != DATETIME:
            return value
        typed = self.typed_moment(node)
        if typed is not None:  # a typed UTC column (the mirror's): no text to parse, no zone rules to look up
            offset = self.fixed_offset()
            if offset is not None:
                return typed + func.to_minutes(int(offset.total_seconds() // 60))
            return func.timezone(self.zone, func.timezone("UTC", typed))
        if self.dialect != "sqlite":
            return func.timezone(self.zone, func.cast(value, TIMESTAMP(timezone=True)))
        # SQLite knows no zones: shift by the zone's offset now (no DST in China)
        offset = self.ctx.local_now.utcoffset() or timedelta(0)
        return func.date(value, f"{int(offset.total_seconds() // 60):+d} minutes")

    def typed_moment(self, node: Node) -> Any | None:
        """A datetime field as its source's typed UTC moment, when the source keeps one (the mirror)."""
        moment = getattr(self.source, "moment", None)
        return moment(".".join(node.path)) if moment is not None and isinstance(node, FieldRef) else None

    def fixed_offset(self) -> timedelta | None:
        """The zone's offset when it is the same all year (no DST: China's since 1992), else None."""
        now, zone = self.ctx.local_now, self.ctx.timezone
        winter, summer = (datetime(now.year, month, 1, tzinfo=zone).utcoffset() for month in (1, 7))
        return winter if winter == summer else None

    def local_day(self, node: Node) -> Any:
        """A date or datetime as a day number in the app's time zone (the same day Python sees)."""
        value = self.local_date(node)
        if self.dialect != "sqlite":
            return func.cast(value, Date) - func.cast(literal("2000-01-01", Date), Date)
        return func.julianday(value)


_DECIMAL_38 = literal_column("CAST(0 AS DECIMAL(38, 0))", type_=Numeric())


def _wide(value: Any) -> Any:
    """A number widened to DuckDB's widest decimal, keeping its scale: DuckDB types DECIMAL(18, 2) ×
    DECIMAL(11, 2) as DECIMAL(18, 4) and fails on `amount * 100000000.00`; DECIMAL(38, s) operands hold
    every product of up to 38 digits exactly. A product beyond that still fails, and the report falls
    back to the primary database (runtime/analytics/run.py)."""
    return value + _DECIMAL_38


def to_sql(checked: Checked, dialect: str, source: ColumnSource, ctx: EvalContext) -> ColumnElement[Any]:
    """The expression as SQL for `dialect`; ValueError if the Checked says it does not compile there."""
    if not checked.compiles_to(dialect):
        raise ValueError(f"{checked.text!r} does not compile for {dialect}: {checked.not_in_sql[dialect]}")
    compiled: ColumnElement[Any] = _Compiler(dialect, source, ctx).run(checked.node, positive=True)
    return compiled


def in_text_order(value: Any, dialect: str) -> Any:
    """A text value as it is ordered: under ICU's Chinese collation, or as Tangram's key of it."""
    if dialect == "postgresql":
        return value.collate(ICU_CHINESE)
    if dialect != "sqlite":
        raise ValueError(f"text has no Chinese order on {dialect}")  # the checker refused it already
    return getattr(func, SQL_FUNCTION)(value, type_=String())


__all__ = ["to_sql", "ColumnSource", "ICU_CHINESE", "ORDERINGS", "in_text_order"]
