"""area: a line chart filled to its axis, for a series whose size matters (revenue by month)."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class AreaWidget(WidgetType):
    """面积图."""

    type = "area"
    label = "面积图"
    label_en = "Area chart"
    slots = Slots(dimensions=(1, 2), axes=2)
