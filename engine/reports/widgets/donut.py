"""donut: a pie with a hole, the total in its middle."""

from __future__ import annotations

from engine.reports.widgets.base import Slots, WidgetType


class DonutWidget(WidgetType):
    """环形图."""

    type = "donut"
    label = "环形图"
    label_en = "Donut chart"
    slots = Slots(dimensions=(1, 1), measures=(1, 1))
