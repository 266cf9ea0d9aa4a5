"""The registry of widget types. Built-ins are listed here, explicitly; one module per type."""

from __future__ import annotations

from engine.registry import Registry
from engine.reports.widgets.area import AreaWidget
from engine.reports.widgets.bar import BarWidget
from engine.reports.widgets.base import MANY, Slots, WidgetType
from engine.reports.widgets.donut import DonutWidget
from engine.reports.widgets.funnel import FunnelWidget
from engine.reports.widgets.gauge import GaugeWidget
from engine.reports.widgets.horizontal_bar import HorizontalBarWidget
from engine.reports.widgets.kpi import KpiWidget
from engine.reports.widgets.line import LineWidget
from engine.reports.widgets.map import MapWidget
from engine.reports.widgets.pie import PieWidget
from engine.reports.widgets.pivot import PivotWidget
from engine.reports.widgets.scatter import ScatterWidget
from engine.reports.widgets.stacked_bar import StackedBarWidget
from engine.reports.widgets.table import TableWidget

widget_types: Registry[WidgetType] = Registry("widget type")

BUILT_INS: tuple[type[WidgetType], ...] = (TableWidget, PivotWidget, BarWidget, StackedBarWidget, HorizontalBarWidget,
                                           LineWidget, AreaWidget, PieWidget, DonutWidget, FunnelWidget, KpiWidget,
                                           GaugeWidget, ScatterWidget, MapWidget)

for _cls in BUILT_INS:
    widget_types.register(_cls.type, _cls())

__all__ = ["widget_types", "WidgetType", "Slots", "MANY", "BUILT_INS"]
