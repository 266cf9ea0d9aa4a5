"""funnel: the stages of a process with stage-to-stage conversion. Either one select dimension, its options
in order (or `stages`), or no dimension and `steps`, each a condition (线索 → 已转化 → 赢单)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from engine.errors import BadQuery, Issue
from engine.reports.compile import WidgetQuery
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan, quotient
from engine.reports.model import Widget
from engine.reports.shape import Labels, Table, columns
from engine.reports.widgets.base import Slots, WidgetType


class FunnelWidget(WidgetType):
    """漏斗图: every stage shown (zero when empty), and `conversion` = this stage / the previous one."""

    type = "funnel"
    label = "漏斗图"
    label_en = "Funnel"
    slots = Slots(dimensions=(0, 1), first_dimension="select")
    settings = ("sort", "limit", "stages", "steps")
    periodic = False

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if not dims and not widget.steps:
            issues.append(Issue("dimensions", "dimension_count", "漏斗图需要一个单选字段维度，或不设维度而列出步骤（steps）",
                                "a funnel needs a select dimension, or no dimension and its `steps`"))
        if dims and widget.steps:
            issues.append(Issue("steps", "steps_with_dimension", "漏斗图按步骤（steps）时不设维度",
                                "a funnel with `steps` takes no dimension"))
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
        if widget.steps:
            stages: list[Any] = [step.label for step in widget.steps]
            values_of = [self._step(table, i) for i in range(len(stages))]
            keys: list[Any] = [[i] for i in range(len(stages))]
            cols = [{"key": "step", "label": "步骤", "role": "dimension"}] + columns([], q.measures)
            totals = values_of[0]
        else:
            found = {g.keys[0]: g for g in table.groups()}
            stages = widget.stages or q.dims[0].options
            values_of = [table.measures(found[s].leaves if s in found else table.combine([])) for s in stages]
            keys = [[s] for s in stages]
            cols = columns(q.dims, q.measures)
            totals = self.totals(table, [g for s, g in found.items() if s in stages])
        rows: list[list[Any]] = []
        previous = None
        for stage, values in zip(stages, values_of, strict=True):
            first = values[0] if values else None
            rate = quotient(first, previous) if previous not in (None, 0) and first is not None else None
            rows.append([stage, *values, rate])
            previous = first
        cols.append({"key": "conversion", "label": "转化率", "role": "measure", "format": "percent"})
        return {"key": widget.key, "type": widget.type, "name": widget.name, "columns": cols, "rows": rows,
                "keys": keys, "totals": totals + [None]}

    def _step(self, table: Table, i: int) -> list[Any]:
        found = table.groups([], [table.query.steps[i]])
        return table.measures(found[0].leaves if found else table.combine([]))

    def point_where(self, query: WidgetQuery, point: list[Any]) -> list[ColumnElement[bool]]:
        if not query.widget.steps:
            return query.point(point)
        if len(point) != 1 or not isinstance(point[0], int) or not 0 <= point[0] < len(query.steps):
            raise BadQuery(f"point 应为步骤序号，0–{len(query.steps) - 1}", f"point must be a step index, 0–{len(query.steps) - 1}",
                           field="point")
        return [query.steps[point[0]]]
