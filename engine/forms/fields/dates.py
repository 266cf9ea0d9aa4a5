"""Reading dates and times as people type them: 2026-11-24, 2026/11/24, 2026年11月24日, 2026-11-24 12:30."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from engine.errors import FieldValueError

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+(\d{1,2})\s*[:时]\s*(\d{1,2})"
    r"(?:\s*(?::|分)\s*(\d{1,2})(?:\.\d+)?\s*秒?|\s*分)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")


def parse_date(value: Any) -> date:
    """A calendar date from a date, a datetime (its own date) or a typed string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if len(value) == 10 and value[4] == value[7] == "-":  # the canonical form: the C parser
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        match = _DATE.match(value.strip().translate(_FULL_WIDTH))
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                pass
    raise FieldValueError(f"“{value}”不是有效日期（如 2026-11-24）", f"{value!r} is not a date (like 2026-11-24)")


def parse_datetime(value: Any) -> datetime:
    """A datetime, naive unless the input names its offset; a bare date means midnight."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        if len(value) in (20, 25) and value[10] == "T":  # the canonical forms: take the C fast path
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        match = _DATETIME.match(value.strip().translate(_FULL_WIDTH))
        if match:
            year, month, day, hour, minute, second, zone = match.groups()
            offset = "" if zone is None else ("+00:00" if zone == "Z" else zone[:3] + ":" + zone[-2:])
            text = (f"{int(year):04d}-{int(month):02d}-{int(day):02d}T{int(hour or 0):02d}:"
                    f"{int(minute or 0):02d}:{int(second or 0):02d}{offset}")
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                pass
    raise FieldValueError(f"“{value}”不是有效的日期时间（如 2026-11-24 14:30）",
                          f"{value!r} is not a date and time (like 2026-11-24 14:30)")
