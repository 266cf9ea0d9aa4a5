"""scatter: one point per group (e.g. per customer), the first measure across and the second up."""

from __future__ import annotations

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
from engine.reports.widgets.base import WidgetType


class ScatterWidget(WidgetType):
    """散点图: rows are points; a third measure may size them."""

    type = "scatter"
    label = "散点图"
    dimensions = (1, 2)

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if 0 < len(measures) < 2:
            issues.append(Issue("measures", "too_few_measures", "散点图需要两个指标（横轴、纵轴）",
                                "a scatter widget needs two measures (x and y)"))
        return issues
