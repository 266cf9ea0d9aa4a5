"""line: a time series; the first dimension is usually a date with a bucket, a second one splits lines."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class LineWidget(WidgetType):
    """折线图."""

    type = "line"
    label = "折线图"
    label_en = "Line chart"
    slots = Slots(dimensions=(1, 2), axes=2)
    comparable = True
