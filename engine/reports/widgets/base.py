"""WidgetType: the base of every widget type (one module per type, registered in __init__.py).

A type checks what its definition needs (a funnel: one select dimension) and shapes the grouped
rows into the common result; the default shape — sort, top-N with an "others" row, totals — serves
bar, pie, line and table alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy.sql.elements import ColumnElement

from engine.errors import Issue
from engine.reports.compile import WidgetQuery
from engine.reports.dimensions import DimensionPlan, shift
from engine.reports.formats import assign_axes
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
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
        return issues

    def point_where(self, query: WidgetQuery, point: list[Any]) -> list[ColumnElement[bool]]:
        """The conditions, beyond the widget's own, that select the rows behind one point (a `keys` entry)."""
        return query.point(point)

    def run(self, table: Table, labels: Labels) -> dict[str, Any]:
        """The result: columns, rows, keys (the dimension values of each row, for drill-down), totals."""
        q, widget = table.query, table.query.widget
        groups = table.groups()
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
        rows = [shown + table.measures(g.leaves) for shown, g in zip(display(q.dims, groups, labels), groups, strict=True)]
        keys: list[Any] = [list(g.keys) for g in groups]
        if others is not None:
            rows.append([OTHERS] * len(q.dims) + table.measures(others))
            keys.append(None)
        result: dict[str, Any] = {"key": widget.key, "type": widget.type, "name": widget.name,
                                  "columns": columns(q.dims, q.measures), "rows": rows, "keys": keys,
                                  "totals": self.totals(table, everything)}
        if self.slots.axes:
            assign_axes(result["columns"])
        found = covered(table, everything)
        if found is not None:
            result["period"] = found
        return self.extend(table, everything, result, labels)

    def totals(self, table: Table, groups: list[Group]) -> list[Any]:
        if not table.query.dims:
            return table.measures(groups[0].leaves) if groups else table.measures(table.combine([]))
        merged = table.rollup(groups, [])
        return table.measures(merged[0].leaves if merged else table.combine([]))

    def extend(self, table: Table, groups: list[Group], result: dict[str, Any], labels: Labels) -> dict[str, Any]:
        """Type-specific additions (subtotals, conversion rates); the default adds nothing."""
        return result


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


def subtotal_rows(table: Table, groups: list[Group], dim: int, labels: Labels) -> list[list[Any]]:
    """One row per value of dimension `dim`: that value and the measures over its groups."""
    q = table.query
    merged = natural_order([q.dims[dim]], table.rollup(groups, [dim]))
    shown = display([q.dims[dim]], merged, labels)
    return [s + table.measures(g.leaves) for s, g in zip(shown, merged, strict=True)]
