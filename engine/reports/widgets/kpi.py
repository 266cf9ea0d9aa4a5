"""kpi: one number — the first measure in the current period — with its target, completion, and the
previous period (环比) and the same period a year earlier (同比), each with its growth rate."""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.reports.measures import quotient
from engine.reports.periods import GROWTH, compared_start, current_start, growth, last_day, span
from engine.reports.shape import Labels, Table
from engine.reports.widgets.base import Slots, WidgetType

PERCENT = {"format": "percent"}  # completion and growth are rates whatever the value is


class KpiWidget(WidgetType):
    """指标卡. Without `period` the value covers every row (and has no comparisons)."""

    type = "kpi"
    label = "指标卡"
    label_en = "KPI card"
    slots = Slots(dimensions=(0, 0), measures=(1, 1))
    periodic = True

    def _value(self, table: Table, start: date) -> Any:
        """The first measure over the local days of the period bucket starting at `start`."""
        period = table.query.widget.period
        assert period is not None and table.query.period is not None
        found = table.groups([], table.query.period(period.field, start, last_day(start, period.bucket)))
        return table.measures(found[0].leaves if found else table.combine([]))[0]

    def run(self, table: Table, labels: Labels) -> dict[str, Any]:
        q, widget = table.query, table.query.widget
        shown = q.measures[0].shown  # the target and the other periods are shown as the value is
        cols = [{"key": q.measures[0].key, "label": q.measures[0].label, "role": "measure", **shown},
                {"key": "target", "label": "目标", "role": "measure", **shown},
                {"key": "completion", "label": "完成率", "role": "measure", **PERCENT}]
        if widget.period is None:
            value = self.totals(table, table.groups())[0]
            row = [value, widget.target, quotient(value, widget.target)]
        else:
            bucket = widget.period.bucket
            start = current_start(q.ctx.local_now.date(), bucket)
            value = self._value(table, start)
            previous = self._value(table, compared_start(start, bucket, "previous"))
            last_year = self._value(table, compared_start(start, bucket, "last_year"))
            row = [value, widget.target, quotient(value, widget.target), previous, growth(value, previous),
                   last_year, growth(value, last_year)]
            cols += [{"key": "previous", "label": "上期", "role": "measure", **shown},
                     {"key": "previous_growth", "label": "环比", "role": "measure", **GROWTH},
                     {"key": "last_year", "label": "去年同期", "role": "measure", **shown},
                     {"key": "last_year_growth", "label": "同比", "role": "measure", **GROWTH}]
            cols[0]["period"] = span(start, bucket)
        return {"key": widget.key, "type": widget.type, "name": widget.name, "columns": cols, "rows": [row],
                "keys": [[]], "totals": []}


__all__ = ["KpiWidget", "growth", "PERCENT", "GROWTH"]
