"""WidgetType: the base of every widget type (one module per type, registered in __init__.py).

A type checks what its definition needs (a funnel: one select dimension) and shapes the grouped
rows into the common result; the default shape — sort, top-N with an "others" row, totals — serves
bar, pie, line and table alike."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy.sql.elements import ColumnElement

from engine.errors import Issue
from engine.reports.compile import WidgetQuery
from engine.reports.dimensions import DimensionPlan, shift
from engine.reports.formats import assign_axes
from engine.reports.measures import MeasurePlan
from engine.reports.model import Compare, Widget
from engine.reports.periods import COMPARED, GROWTH, compared_start, current_start, growth, last_day, span
from engine.reports.shape import OTHERS, Group, Labels, Table, apply_sort, columns, display, natural_order

MANY = 99
"""The `most` of a slot that takes any number (a table's measures)."""


@dataclass(frozen=True)
class Slots:
    """What a widget type takes, for checks and for the chart builder: the fewest and most dimensions and
    measures, the kind the first dimension must be (`select` for a funnel), and how many value axes it
    draws (`axes`: two for bar and line charts, one unit each, so counts never share the money axis;
    a measure of a third unit is left to the data table)."""

    dimensions: tuple[int, int] = (0, 3)
    measures: tuple[int, int] = (1, MANY)
    first_dimension: str | None = None
    axes: int = 0

    def as_json(self) -> dict[str, Any]:
        """The slots as the widget-type list of the API shows them."""
        return {"dimensions": list(self.dimensions), "measures": list(self.measures),
                "first_dimension": self.first_dimension, "axes": self.axes}


def _wanted(low: int, high: int) -> str:
    return f"{low}" if low == high else f"{low} 个或以上" if high >= MANY else f"{low}–{high}"


class WidgetType:
    """How one kind of widget is checked and shaped."""

    type: ClassVar[str] = ""
    label: ClassVar[str] = ""
    label_en: ClassVar[str] = ""
    slots: ClassVar[Slots] = Slots()
    periodic: ClassVar[bool] = True
    """Whether it reads `period`: its figures are then the current period's (a KPI's also the compared ones)."""
    comparable: ClassVar[bool] = False
    """Whether it reads `compare`: each measure also for the previous period / last year, with the growth."""

    @property
    def dimensions(self) -> tuple[int, int]:
        """The fewest and most dimensions the type takes."""
        return self.slots.dimensions

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        """Problems of a definition this type cannot draw (paths relative to the widget)."""
        low, high = self.slots.dimensions
        issues = []
        if not low <= len(dims) <= high:
            wanted = _wanted(low, high)
            issues.append(Issue("dimensions", "dimension_count", f"{self.label}需要 {wanted} 个维度，现有 {len(dims)} 个",
                                f"a {self.type} widget takes {wanted.replace(' 个或以上', ' or more')} dimension(s), "
                                f"not {len(dims)}"))
        low, high = self.slots.measures
        if not measures:
            issues.append(Issue("measures", "no_measure", f"{self.label}至少需要一个指标",
                                f"a {self.type} widget needs at least one measure"))
        elif not low <= len(measures) <= high:
            wanted = _wanted(low, high)
            issues.append(Issue("measures", "measure_count", f"{self.label}需要 {wanted} 个指标，现有 {len(measures)} 个",
                                f"a {self.type} widget takes {wanted.replace(' 个或以上', ' or more')} measure(s), "
                                f"not {len(measures)}"))
        return issues + self._period_issues(widget, dims)

    def _period_issues(self, widget: Widget, dims: list[DimensionPlan]) -> list[Issue]:
        """`period` and `compare` on a type that reads them, `compare` with a period and no date dimension."""
        if widget.period is not None and not self.periodic:
            return [Issue("period", "no_period", f"{self.label}不支持统计周期", f"a {self.type} widget takes no `period`")]
        if not widget.compare:
            return []
        if not self.comparable:
            return [Issue("compare", "no_compare", f"{self.label}不支持环比 / 同比",
                          f"a {self.type} widget takes no `compare`")]
        if widget.period is None:
            return [Issue("compare", "no_period", "环比 / 同比需要先设置统计周期（period）",
                          "`compare` needs a `period` (the current period it compares)")]
        if len(set(widget.compare)) != len(widget.compare):
            return [Issue("compare", "repeated", "环比 / 同比重复", "`compare` names a comparison twice")]
        return [Issue(f"dimensions[{i}].bucket", "compared_date", "环比 / 同比按类别对比，维度不能是按周期分组的日期",
                      "`compare` matches categories across periods: a dimension may not be a bucketed date")
                for i, d in enumerate(dims) if d.bucket][:1]

    def scope_where(self, query: WidgetQuery) -> list[ColumnElement[bool]]:
        """The conditions, beyond the widget's own, that hold for every point: its current period, if it has one."""
        period = query.widget.period
        if not self.periodic or period is None or query.period is None:
            return []
        start = current_start(query.ctx.local_now.date(), period.bucket)
        return query.period(period.field, start, last_day(start, period.bucket))

    def point_where(self, query: WidgetQuery, point: list[Any]) -> list[ColumnElement[bool]]:
        """The conditions, beyond the widget's own, that select the rows behind one point (a `keys` entry)."""
        return query.point(point) + self.scope_where(query)

    def run(self, table: Table, labels: Labels) -> dict[str, Any]:
        """The result: columns, rows, keys (the dimension values of each row, for drill-down), totals."""
        widget = table.query.widget
        compared = [Compared(which, table) for which in widget.compare] if self.comparable else []
        table = table.narrowed(self.scope_where(table.query))
        q = table.query
        groups = table.groups()
        if compared:
            groups = with_compared_keys(table, groups, compared)
        if widget.limit is None and (widget.sort or "").lstrip("-") in ("", q.dims[0].key if q.dims else ""):
            groups = fill_periods(table, groups)
        everything = groups
        groups = apply_sort(table, groups, widget.sort)
        others: list[Any] | None = None
        if widget.limit and len(groups) > widget.limit:
            kept, rest = groups[:widget.limit], groups[widget.limit:]
            if widget.others:
                others = table.others(kept, rest)
            groups = kept
        rows = [shown + with_compared(compared, g.keys, table.measures(g.leaves))
                for shown, g in zip(display(q.dims, groups, labels), groups, strict=True)]
        keys: list[Any] = [list(g.keys) for g in groups]
        if others is not None:
            now = table.measures(others)
            rows.append([OTHERS] * len(q.dims) + now + [v for c in compared for v in c.others(groups, now)])
            keys.append(None)
        totals = self.totals(table, everything)
        result: dict[str, Any] = {"key": widget.key, "type": widget.type, "name": widget.name,
                                  "columns": columns(q.dims, q.measures) + [col for c in compared for col in c.columns()],
                                  "rows": rows, "keys": keys,
                                  "totals": totals + [v for c in compared for v in c.totals(self, totals)]}
        if self.slots.axes:
            assign_axes(result["columns"])
        found = covered(table, everything)
        if found is not None:
            result["period"] = found
        if widget.period is not None and self.periodic:
            start = current_start(q.ctx.local_now.date(), widget.period.bucket)
            result["period"] = span(start, widget.period.bucket)
            for c in compared:
                result.setdefault("compared", {})[c.which] = span(c.start, widget.period.bucket)
        return self.extend(table, everything, result, labels, compared)

    def totals(self, table: Table, groups: list[Group]) -> list[Any]:
        if not table.query.dims:
            return table.measures(groups[0].leaves) if groups else table.measures(table.combine([]))
        merged = table.rollup(groups, [])
        return table.measures(merged[0].leaves if merged else table.combine([]))

    def extend(self, table: Table, groups: list[Group], result: dict[str, Any], labels: Labels,
               compared: list[Compared]) -> dict[str, Any]:
        """Type-specific additions (subtotals, conversion rates); the default adds nothing."""
        return result


class Compared:
    """One period a widget with `period` and `compare` is compared with: its rows' groups, and the cells it adds
    to a row — per measure, the value then (上期 / 去年同期) and the growth since (环比 / 同比)."""

    def __init__(self, which: Compare, table: Table) -> None:
        q, period = table.query, table.query.widget.period
        assert period is not None and q.period is not None  # checked: compare needs a period
        self.which = which
        self.start = compared_start(current_start(q.ctx.local_now.date(), period.bucket), period.bucket, which)
        self.table = table.narrowed(q.period(period.field, self.start, last_day(self.start, period.bucket)))
        self.groups = self.table.groups()
        self.by_keys = {g.keys: g for g in self.groups}

    def cells(self, before: list[Any], now: list[Any]) -> list[Any]:
        return [v for b, n in zip(before, now, strict=True) for v in (b, growth(n, b))]

    def values(self, keys: tuple[Any, ...], now: list[Any]) -> list[Any]:
        found = self.by_keys.get(keys)
        return self.cells(self.table.measures(found.leaves if found else self.table.combine([])), now)

    def others(self, kept: list[Group], now: list[Any]) -> list[Any]:
        shown = {g.keys for g in kept}
        rest = [g for g in self.groups if g.keys not in shown]
        return self.cells(self.table.measures(self.table.others(kept, rest)), now)

    def totals(self, kind: WidgetType, now: list[Any]) -> list[Any]:
        return self.cells(kind.totals(self.table, self.groups), now)

    def subtotals(self, dim: int) -> Compared:
        """The same comparison over the groups merged down to dimension `dim` (a table's 小计 rows)."""
        merged = copy(self)
        merged.groups = self.table.rollup(self.groups, [dim])
        merged.by_keys = {g.keys: g for g in merged.groups}
        return merged

    def columns(self) -> list[dict[str, Any]]:
        label, growth_label, _, _ = COMPARED[self.which]
        out = []
        for m in self.table.query.measures:
            out += [{"key": f"{m.key}_{self.which}", "label": f"{m.label}（{label}）", "role": "measure",
                     "compare": self.which, **m.shown},
                    {"key": f"{m.key}_{self.which}_growth", "label": f"{m.label}{growth_label}", "role": "measure",
                     "compare": self.which, **GROWTH}]
        return out


def with_compared(compared: list[Compared], keys: tuple[Any, ...], now: list[Any]) -> list[Any]:
    """A group's measures followed by their compared cells."""
    return now + [v for c in compared for v in c.values(keys, now)]


def with_compared_keys(table: Table, groups: list[Group], compared: list[Compared]) -> list[Group]:
    """The current period's groups and, empty, those only a compared period has (a region that sold last quarter
    and not this one shows 0 and its fall)."""
    if not table.query.dims:
        return groups
    present = {g.keys for g in groups}
    empty = [0 if leaf.name == "SUM" else value for leaf, value in zip(table.query.leaves, table.combine([]), strict=True)]
    missing = dict.fromkeys(g.keys for c in compared for g in c.groups if g.keys not in present)
    return groups + [Group(k, list(empty)) for k in missing]


MOST_FILLED = 1000
"""Gaps are filled up to this many periods (a daily series over years is left as it is)."""


def fill_periods(table: Table, groups: list[Group]) -> list[Group]:
    """A series over a bucketed date (one dimension) with every period between its first and last, so an
    empty month shows 0 (counts and sums) or a blank (averages, rates) instead of disappearing."""
    dims = table.query.dims
    if len(dims) != 1 or not dims[0].bucket:
        return groups
    bucket = dims[0].bucket
    starts = sorted(str(g.keys[0]) for g in groups if g.keys[0] is not None)
    if not starts:
        return groups
    present = set(starts)
    empty = [0 if leaf.name == "SUM" else value for leaf, value in zip(table.query.leaves, table.combine([]), strict=True)]
    day, last, filled = date.fromisoformat(starts[0][:10]), date.fromisoformat(starts[-1][:10]), list(groups)
    while day < last and len(filled) < MOST_FILLED:
        if day.isoformat() not in present:
            filled.append(Group((day.isoformat(),), list(empty)))
        day = shift(day, bucket, 1)
    return filled


def covered(table: Table, groups: list[Group]) -> dict[str, str] | None:
    """统计期 of a series over a bucketed date: the first period's first day and the day after the last
    period (as a KPI's `period`), or None when the first dimension is not a bucketed date."""
    dims = table.query.dims
    if not dims or not dims[0].bucket:
        return None
    starts = sorted(str(g.keys[0])[:10] for g in groups if g.keys[0] is not None)
    if not starts:
        return None
    return {"start": starts[0], "end": shift(date.fromisoformat(starts[-1]), dims[0].bucket, 1).isoformat()}


def subtotal_rows(table: Table, groups: list[Group], dim: int, labels: Labels,
                  compared: list[Compared] | None = None) -> list[list[Any]]:
    """One row per value of dimension `dim`: that value and the measures over its groups (and their compared
    cells)."""
    q = table.query
    merged = natural_order([q.dims[dim]], table.rollup(groups, [dim]))
    shown = display([q.dims[dim]], merged, labels)
    by_dim = [c.subtotals(dim) for c in compared or []]
    return [s + with_compared(by_dim, g.keys, table.measures(g.leaves)) for s, g in zip(shown, merged, strict=True)]
