"""kpi: one number — the first measure in the current period — with its target, completion, and the
previous period (环比) and the same period a year earlier (同比), each with its growth rate."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from engine.reports.compile import WidgetQuery
from engine.reports.dimensions import bucket_start, shift
from engine.reports.measures import quotient
from engine.reports.shape import Labels, Table
from engine.reports.widgets.base import Slots, WidgetType

PERCENT = {"format": "percent"}  # completion and growth are rates whatever the value is
GROWTH = {"format": "percent", "signed": True}  # +12.5% / -3.0%: a rise is said as one
_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}


class KpiWidget(WidgetType):
    """指标卡. Without `period` the value covers every row (and has no comparisons)."""

    type = "kpi"
    label = "指标卡"
    label_en = "KPI card"
    slots = Slots(dimensions=(0, 0), measures=(1, 1))

    def point_where(self, query: WidgetQuery, point: list[Any]) -> list[ColumnElement[bool]]:
        """The records behind the value: the widget's rows, in the current period when it has one."""
        found = query.point(point)
        period = query.widget.period
        if period is None or query.period is None:
            return found
        start = bucket_start(query.ctx.local_now.date(), period.bucket)
        return found + query.period(period.field, start, shift(start, period.bucket, 1) - timedelta(days=1))

    def _value(self, table: Table, start: date) -> Any:
        """The first measure over the local days of the period bucket starting at `start`."""
        period = table.query.widget.period
        assert period is not None and table.query.period is not None
        last = shift(start, period.bucket, 1) - timedelta(days=1)
        found = table.groups([], table.query.period(period.field, start, last))
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
            start = bucket_start(q.ctx.local_now.date(), bucket)
            value = self._value(table, start)
            previous = self._value(table, shift(start, bucket, -1))
            last_year = self._value(table, shift(start, bucket, -_YEAR[bucket]) if bucket != "week"
                                    else shift(start, "day", -364))
            row = [value, widget.target, quotient(value, widget.target), previous, growth(value, previous),
                   last_year, growth(value, last_year)]
            cols += [{"key": "previous", "label": "上期", "role": "measure", **shown},
                     {"key": "previous_growth", "label": "环比", "role": "measure", **GROWTH},
                     {"key": "last_year", "label": "去年同期", "role": "measure", **shown},
                     {"key": "last_year_growth", "label": "同比", "role": "measure", **GROWTH}]
            cols[0]["period"] = {"start": start.isoformat(), "end": (shift(start, bucket, 1)).isoformat()}
        return {"key": widget.key, "type": widget.type, "name": widget.name, "columns": cols, "rows": [row],
                "keys": [[]], "totals": []}


def growth(value: Any, before: Any) -> Any:
    """(value - before) / before; blank when there is nothing to compare with."""
    if not isinstance(value, int | Decimal) or not isinstance(before, int | Decimal):
        return None
    return quotient(value - before, before)
