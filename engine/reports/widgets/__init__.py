"""The registry of widget types. Built-ins are listed here, explicitly; one module per type."""

from __future__ import annotations

from engine.registry import Registry
from engine.reports.widgets.bar import BarWidget
from engine.reports.widgets.base import WidgetType
from engine.reports.widgets.funnel import FunnelWidget
from engine.reports.widgets.kpi import KpiWidget
from engine.reports.widgets.line import LineWidget
from engine.reports.widgets.pie import PieWidget
from engine.reports.widgets.pivot import PivotWidget
from engine.reports.widgets.scatter import ScatterWidget
from engine.reports.widgets.table import TableWidget

widget_types: Registry[WidgetType] = Registry("widget type")

BUILT_INS: tuple[type[WidgetType], ...] = (TableWidget, PivotWidget, BarWidget, LineWidget, PieWidget, FunnelWidget,
                                           KpiWidget, ScatterWidget)

for _cls in BUILT_INS:
    widget_types.register(_cls.type, _cls())

__all__ = ["widget_types", "WidgetType", "BUILT_INS"]
