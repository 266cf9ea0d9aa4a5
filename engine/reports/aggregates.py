"""The aggregate functions of reports: what a measure computes over the rows of a group.

Each is listed once (BUILT_INS) with its SQL (per dialect, over the compiled row value), how two partial
results combine (for totals, subtotals and the "others" row without another query; None when they
cannot, as for distinct counts), and its Python meaning over a list of row values (the reference the
SQL is tested against). In calculated measures they are written in upper case:
`COUNTIF(stage = "赢单") / COUNT()`, `SUM(amount) / COUNT_DISTINCT(customer)`.

MIN and MAX of text follow the Chinese order every comparison of text follows (engine/text_order.py):
`text_extreme_sql` spells them per dialect; DuckDB has no such order, so the primary database answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, distinct, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import UnsupportedQuery
from engine.expr.to_sql import ICU_CHINESE
from engine.registry import Registry
from engine.text_order import sort_key


def _blank_skipping(fn: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
    return lambda values: fn([v for v in values if v is not None])


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    return a if b is None else a + b


def _ordered(value: Any) -> Any:
    return sort_key(value) if isinstance(value, str) else value


def _least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b, key=_ordered)


def _greatest(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else max(a, b, key=_ordered)


def _sum_sql(dialect: str, x: ColumnElement[Any]) -> ColumnElement[Any]:
    # SQLite has no exact decimals: Tangram's tg_sum adds the stored decimal texts exactly.
    return func.tg_sum(x) if dialect == "sqlite" else func.sum(x)


@dataclass(frozen=True)
class ReportAggregate:
    """One aggregate: `NAME(arg)` in calculated measures; `arg` is "none", "row" (any value) or "condition"."""

    name: str
    arg: str
    sql: Callable[[str, Any], ColumnElement[Any]]
    """(dialect, the argument's SQL) -> the aggregate's SQL; the argument is None for COUNT()."""
    combine: Callable[[Any, Any], Any] | None
    py: Callable[[list[Any]], Any]
    numeric: bool = False
    """The argument must be a number (SUM)."""
    exact: bool = False
    """On SQLite the argument is read as the stored decimal text (see tg_sum)."""
    summary: str = ""


report_aggregates: Registry[ReportAggregate] = Registry("report aggregate")

BUILT_INS: tuple[ReportAggregate, ...] = (
    ReportAggregate("COUNT", "none", lambda d, x: func.count(), _add, len, summary="行数"),
    ReportAggregate("COUNT_VALUES", "row", lambda d, x: func.count(x), _add,
                    lambda vs: sum(1 for v in vs if v is not None), summary="非空值的个数"),
    ReportAggregate("COUNTIF", "condition",
                    lambda d, x: func.coalesce(func.sum(case((x, 1), else_=literal_column("0"))), 0), _add,
                    lambda vs: sum(1 for v in vs if v is True), summary="满足条件的行数"),
    ReportAggregate("COUNT_DISTINCT", "row", lambda d, x: func.count(distinct(x)), None,
                    lambda vs: len({v for v in vs if v is not None}), summary="不同值的个数"),
    ReportAggregate("SUM", "row", lambda d, x: _sum_sql(d, x), _add,
                    _blank_skipping(lambda vs: sum(vs, Decimal(0)) if vs else None), numeric=True, exact=True,
                    summary="求和"),
    ReportAggregate("MIN", "row", lambda d, x: func.min(x), _least, _blank_skipping(lambda vs: min(vs, key=_ordered, default=None)),
                    summary="最小值"),
    ReportAggregate("MAX", "row", lambda d, x: func.max(x), _greatest,
                    _blank_skipping(lambda vs: max(vs, key=_ordered, default=None)), summary="最大值"),
)
for _agg in BUILT_INS:
    report_aggregates.register(_agg.name, _agg)


class DecimalSum:
    """tg_sum for SQLite (registered on every connection): exact decimal addition of stored values."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: Any) -> None:
        if value is None or value == "":
            return
        number = Decimal(str(value)) if not isinstance(value, float) else Decimal(repr(value))
        self.total = number if self.total is None else self.total + number

    def finalize(self) -> Any:
        return None if self.total is None else format(self.total, "f")


class TextExtreme:
    """tg_text_min / tg_text_max for SQLite: the least or greatest text in Chinese order."""

    greatest = False

    def __init__(self) -> None:
        self.best: tuple[str, str] | None = None  # (key, text)

    def step(self, value: Any) -> None:
        if value is None:
            return
        text = value if isinstance(value, str) else str(value)
        key = sort_key(text)
        if self.best is None or (key > self.best[0] if self.greatest else key < self.best[0]):
            self.best = (key, text)

    def finalize(self) -> Any:
        return None if self.best is None else self.best[1]


class TextGreatest(TextExtreme):
    """tg_text_max."""

    greatest = True


def text_extreme_sql(name: str, dialect: str, x: ColumnElement[Any]) -> ColumnElement[Any]:
    """MIN or MAX (`name`) of a text in Chinese order; UnsupportedQuery on DuckDB, which lacks the order."""
    if dialect == "postgresql":
        found: ColumnElement[Any] = getattr(func, name.lower())(x.collate(ICU_CHINESE))
        return found
    if dialect == "sqlite":
        found = getattr(func, f"tg_text_{name.lower()}")(x)
        return found
    raise UnsupportedQuery(f"{name} 文本暂不能在 {dialect} 上按中文顺序计算", f"{name} of text cannot run on {dialect}",
                           field="measure")


SQLITE_AGGREGATES = (("tg_sum", 1, DecimalSum), ("tg_text_min", 1, TextExtreme), ("tg_text_max", 1, TextGreatest))
"""(name, number of arguments, class) for sqlite3's create_aggregate."""

__all__ = ["BUILT_INS", "ReportAggregate", "report_aggregates", "SQLITE_AGGREGATES", "DecimalSum", "text_extreme_sql"]
