"""funnel: one select dimension in the options' order (or `stages`), with stage-to-stage conversion."""

from __future__ import annotations

from typing import Any

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan, quotient
from engine.reports.model import Widget
from engine.reports.shape import Labels, Table, columns
from engine.reports.widgets.base import WidgetType


class FunnelWidget(WidgetType):
    """漏斗图: every stage shown (zero when empty), and `conversion` = this stage / the previous one."""

    type = "funnel"
    label = "漏斗图"
    dimensions = (1, 1)

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if dims and dims[0].kind != "select":
            issues.append(Issue("dimensions[0].field", "not_a_select", "漏斗图的维度应为单选字段（按选项顺序）",
                                "a funnel's dimension must be a select field (its options give the order)"))
        for i, stage in enumerate(widget.stages or []):
            if dims and dims[0].kind == "select" and stage not in dims[0].options:
                issues.append(Issue(f"stages[{i}]", "unknown_option", f"“{stage}”不是该字段的选项",
                                    f"{stage!r} is not an option of {dims[0].key!r}"))
        return issues

    def run(self, table: Table, labels: Labels) -> dict[str, Any]:
        q, widget = table.query, table.query.widget
        found = {g.keys[0]: g for g in table.groups()}
        stages = widget.stages or q.dims[0].options
        rows: list[list[Any]] = []
        previous = None
        for stage in stages:
            group = found.get(stage)
            values = table.measures(group.leaves if group else table.combine([]))
            first = values[0] if values else None
            rate = quotient(first, previous) if previous not in (None, 0) and first is not None else None
            rows.append([stage, *values, rate])
            previous = first
        chosen = [g for s, g in found.items() if s in stages]
        cols = columns(q.dims, q.measures) + [{"key": "conversion", "label": "转化率", "role": "measure", "format": "percent"}]
        return {"key": widget.key, "type": widget.type, "name": widget.name, "columns": cols, "rows": rows,
                "keys": [[s] for s in stages], "totals": self.totals(table, chosen) + [None]}
