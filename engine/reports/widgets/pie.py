"""pie: shares of one measure over one dimension."""

from __future__ import annotations

from engine.reports.widgets.base import WidgetType


class PieWidget(WidgetType):
    """饼图."""

    type = "pie"
    label = "饼图"
    dimensions = (1, 1)
