"""horizontal_bar: bars laid sideways, the categories down the left (rankings with long names)."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class HorizontalBarWidget(WidgetType):
    """条形图."""

    type = "horizontal_bar"
    label = "条形图"
    label_en = "Horizontal bar chart"
    slots = Slots(dimensions=(1, 2), axes=2)
    comparable = True
