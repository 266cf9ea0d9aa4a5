"""gauge: a KPI drawn as a dial — the value against its target (the dial's full scale), with the same
facts as a KPI card (completion; with `period`, 环比 and 同比)."""

from __future__ import annotations

from engine.errors import Issue
from engine.reports.dimensions import DimensionPlan
from engine.reports.measures import MeasurePlan
from engine.reports.model import Widget
from engine.reports.widgets.kpi import KpiWidget


class GaugeWidget(KpiWidget):
    """仪表图: needs a `target`, the end of the dial."""

    type = "gauge"
    label = "仪表图"
    label_en = "Gauge"

    def check(self, widget: Widget, dims: list[DimensionPlan], measures: list[MeasurePlan]) -> list[Issue]:
        issues = super().check(widget, dims, measures)
        if widget.target is None or widget.target <= 0:
            issues.append(Issue("target", "no_target", "仪表图需要一个大于 0 的目标值（表盘满刻度）",
                                "a gauge needs a target above 0 (the end of its dial)"))
        return issues
