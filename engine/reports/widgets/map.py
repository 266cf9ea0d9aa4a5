"""map: one measure per province on a map of China; the dimension is an address field, grouped by its
province (the dashboard draws the vendored China GeoJSON, builder_ui/vendor.py)."""

from __future__ import annotations

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
from engine.reports.widgets.base import Slots, WidgetType


class MapWidget(WidgetType):
    """地图（按省份）: rows per province, shaded by the measure."""

    type = "map"
    label = "地图（按省份）"
    label_en = "Map by province"
    slots = Slots(dimensions=(1, 1), measures=(1, 1), first_dimension="province")

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if dims and dims[0].kind != "province":
            issues.append(Issue("dimensions[0].field", "not_an_address", "地图的维度应为地址字段（按省份）",
                                "a map's dimension must be an address field (grouped by province)"))
        return issues
