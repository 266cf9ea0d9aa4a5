"""scatter: one point per group (e.g. per customer), the first measure across and the second up."""

from __future__ import annotations

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
from engine.reports.widgets.base import Slots, WidgetType


class ScatterWidget(WidgetType):
    """散点图: rows are points; a third measure may size them."""

    type = "scatter"
    label = "散点图"
    label_en = "Scatter plot"
    slots = Slots(dimensions=(1, 2), measures=(2, 3))

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if 0 < len(measures) < 2:  # said as the axes it lacks, rather than as a count
            issues = [i for i in issues if i.code != "measure_count"]
            issues.append(Issue("measures", "too_few_measures", "散点图需要两个指标（横轴、纵轴）",
                                "a scatter widget needs two measures (x and y)"))
        return issues
