"""auto_number: a number Tangram gives each new record (QT-202611-0001), never the same twice."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, TEXT_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.model_words import Refusal

_PART = re.compile(r"\{(YYYY|YY|MM|DD|seq(?::(\d))?)\}")


class AutoNumberField(FieldType):
    """`pattern` with {YYYY} {YY} {MM} {DD} and one {seq} or {seq:N} (zero-padded to N digits).
    The sequence restarts whenever the rest of the pattern changes: "QT-{YYYY}{MM}-{seq:4}"
    numbers each month from 0001; "KH-{seq:6}" never restarts."""

    type: Literal["auto_number"]
    pattern: str
    timezone: str = "Asia/Shanghai"

    computed = True
    filter_ops = EQUALITY_OPS + ORDER_OPS + TEXT_OPS
    palette = Palette("自动编号", "Auto number", "more", "№", {"pattern": "NO-{seq:4}"})
    in_sub_table = False  # rows are not numbered by Tangram

    @field_validator("pattern")
    @classmethod
    def _one_sequence(cls, pattern: str) -> str:
        if len(re.findall(r"\{seq(?::\d)?\}", pattern)) != 1:
            raise Refusal("编号规则需要且只能有一个 {seq} 或 {seq:N}", "pattern needs exactly one {seq} or {seq:N}")
        unknown = set(re.findall(r"\{([^}]*)\}", pattern)) - {"YYYY", "YY", "MM", "DD", "seq"} - {
            f"seq:{n}" for n in range(1, 10)}
        if unknown:
            raise Refusal(f"编号规则里有不认识的部分 {sorted(unknown)}；可用 YYYY YY MM DD seq seq:N",
                          f"unknown pattern parts {sorted(unknown)}; use YYYY YY MM DD seq seq:N")
        return pattern

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (KeyError, ValueError):
            raise Refusal(f"不认识的时区 {name!r}", f"unknown time zone {name!r}") from None
        return name

    def _render(self, now: datetime, seq: str) -> str:
        local = now.astimezone(ZoneInfo(self.timezone))
        return _filled(self.pattern, local.year, local.month, local.day, seq)

    def scope(self, now: datetime) -> str:
        """The pattern rendered without the sequence: numbers restart when this changes."""
        return self._render(now, "")

    def render(self, now: datetime, seq: int) -> str:
        """The number for the `seq`-th record of the scope `now` falls in."""
        return self.numberer(now)(seq)

    def numberer(self, now: datetime) -> Callable[[int], str]:
        """render() for many records at one moment: the date parts are filled in once."""
        width = _width(self.pattern)
        head, _, tail = self._render(now, "\0").partition("\0")
        return lambda seq: f"{head}{seq:0{width}d}{tail}"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise FieldValueError("编号应为文本", "an auto number is text")
        return str(value).strip()

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "readOnly": True}


@lru_cache(maxsize=1024)
def _filled(pattern: str, year: int, month: int, day: int, seq: str) -> str:
    """`pattern` with its date parts and `seq` in: every create renders it, the same few each day."""
    parts = {"YYYY": f"{year:04d}", "YY": f"{year % 100:02d}", "MM": f"{month:02d}", "DD": f"{day:02d}"}
    return _PART.sub(lambda m: seq if m[1].startswith("seq") else parts[m[1]], pattern)


@lru_cache(maxsize=1024)
def _width(pattern: str) -> int:
    """The digits {seq:N} pads to (1 for a bare {seq})."""
    return next((int(m[2]) for m in _PART.finditer(pattern) if m[1].startswith("seq") and m[2]), 1)
