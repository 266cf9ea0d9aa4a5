"""stacked_bar: bars stacked by the second dimension, or the measures stacked on one bar (one unit)."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class StackedBarWidget(WidgetType):
    """堆叠柱状图."""

    type = "stacked_bar"
    label = "堆叠柱状图"
    label_en = "Stacked bar chart"
    slots = Slots(dimensions=(1, 2), axes=2)
