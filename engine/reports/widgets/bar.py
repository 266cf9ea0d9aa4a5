"""bar: grouped or stacked bars over one or two dimensions (the second groups, or stacks with "stack")."""

from __future__ import annotations

from engine.reports.widgets.base import WidgetType


class BarWidget(WidgetType):
    """柱状图."""

    type = "bar"
    label = "柱状图"
    dimensions = (1, 2)
