"""A widget's statistical period (统计周期): the current bucket of a date field holding today, and the
periods it is compared with — the previous one (上期, 环比) and the same one a year earlier (去年同期, 同比).
Shared by the KPI card and the category charts (bar, line, table) that take `period` and `compare`."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from engine.reports.dimensions import bucket_start, shift
from engine.reports.measures import quotient
from engine.reports.model import Bucket, Compare

GROWTH = {"format": "percent", "signed": True}  # +12.5% / -3.0%: a rise is said as one
_YEAR = {"day": 365, "week": 52, "month": 12, "quarter": 4, "year": 1}

COMPARED: dict[str, tuple[str, str, str, str]] = {
    "previous": ("上期", "环比", "previous", "previous period"),
    "last_year": ("去年同期", "同比", "same period last year", "year on year"),
}
"""Per comparison: the labels of its value column and of its growth column (zh, then en)."""


def current_start(today: date, bucket: Bucket) -> date:
    """The first day of the period holding `today`."""
    return bucket_start(today, bucket)


def compared_start(start: date, bucket: Bucket, which: Compare) -> date:
    """The first day of the period `which` compares the one starting at `start` with."""
    if which == "previous":
        return shift(start, bucket, -1)
    return shift(start, bucket, -_YEAR[bucket]) if bucket != "week" else shift(start, "day", -364)


def last_day(start: date, bucket: Bucket) -> date:
    """The last day (inclusive) of the period starting at `start`."""
    return shift(start, bucket, 1) - timedelta(days=1)


def span(start: date, bucket: Bucket) -> dict[str, str]:
    """The period as results show it (统计期): its first day and the day after its last."""
    return {"start": start.isoformat(), "end": shift(start, bucket, 1).isoformat()}


def growth(value: Any, before: Any) -> Any:
    """(value - before) / before; blank when there is nothing to compare with."""
    if not isinstance(value, int | Decimal) or not isinstance(before, int | Decimal):
        return None
    return quotient(value - before, before)


__all__ = ["GROWTH", "COMPARED", "current_start", "compared_start", "last_day", "span", "growth"]
