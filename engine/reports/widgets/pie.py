"""pie: shares of one measure over one dimension."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class PieWidget(WidgetType):
    """饼图."""

    type = "pie"
    label = "饼图"
    label_en = "Pie chart"
    slots = Slots(dimensions=(1, 1), measures=(1, 1))
