"""bar: grouped bars over one or two dimensions (the second groups them, side by side)."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class BarWidget(WidgetType):
    """柱状图."""

    type = "bar"
    label = "柱状图"
    label_en = "Bar chart"
    slots = Slots(dimensions=(1, 2), axes=2)
    comparable = True
