"""WidgetType: the base of every widget type (one module per type, registered in __init__.py).

A type checks what its definition needs (a funnel: one select dimension) and shapes the grouped
rows into the common result; the default shape — sort, top-N with an "others" row, totals — serves
bar, pie, line and table alike."""

from __future__ import annotations

from typing import Any, ClassVar

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
from engine.reports.shape import OTHERS, Group, Labels, Table, apply_sort, columns, display, natural_order


class WidgetType:
    """How one kind of widget is checked and shaped."""

    type: ClassVar[str] = ""
    dimensions: ClassVar[tuple[int, int]] = (0, 3)
    """The fewest and most dimensions the type takes."""
    label: ClassVar[str] = ""

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        """Problems of a definition this type cannot draw (paths relative to the widget)."""
        low, high = self.dimensions
        issues = []
        if not low <= len(dims) <= high:
            wanted = f"{low}" if low == high else f"{low}–{high}"
            issues.append(Issue("dimensions", "dimension_count", f"{self.label}需要 {wanted} 个维度，现有 {len(dims)} 个",
                                f"a {self.type} widget takes {wanted} dimension(s), not {len(dims)}"))
        if not measures:
            issues.append(Issue("measures", "no_measure", f"{self.label}至少需要一个指标",
                                f"a {self.type} widget needs at least one measure"))
        return issues

    def run(self, table: Table, labels: Labels) -> dict[str, Any]:
        """The result: columns, rows, keys (the dimension values of each row, for drill-down), totals."""
        q, widget = table.query, table.query.widget
        groups = table.groups()
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
        result = {"key": widget.key, "type": widget.type, "name": widget.name, "columns": columns(q.dims, q.measures),
                  "rows": rows, "keys": keys, "totals": self.totals(table, everything)}
        return self.extend(table, everything, result, labels)

    def totals(self, table: Table, groups: list[Group]) -> list[Any]:
        if not table.query.dims:
            return table.measures(groups[0].leaves) if groups else table.measures(table.combine([]))
        merged = table.rollup(groups, [])
        return table.measures(merged[0].leaves if merged else table.combine([]))

    def extend(self, table: Table, groups: list[Group], result: dict[str, Any], labels: Labels) -> dict[str, Any]:
        """Type-specific additions (subtotals, conversion rates); the default adds nothing."""
        return result


def subtotal_rows(table: Table, groups: list[Group], dim: int, labels: Labels) -> list[list[Any]]:
    """One row per value of dimension `dim`: that value and the measures over its groups."""
    q = table.query
    merged = natural_order([q.dims[dim]], table.rollup(groups, [dim]))
    shown = display([q.dims[dim]], merged, labels)
    return [s + table.measures(g.leaves) for s, g in zip(shown, merged, strict=True)]
