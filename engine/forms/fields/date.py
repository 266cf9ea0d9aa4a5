"""date: a calendar day (签约日期, 生日), stored as "YYYY-MM-DD" so text order is date order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.dates import parse_date
from engine.forms.fields.palette import Palette


class DateField(FieldType):
    """A date with optional bounds (ISO dates in the definition)."""

    type: Literal["date"]
    min: date | None = None
    max: date | None = None

    value_type = "date"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("日期", "Date", "basic", "▦")
    filter_widget = "date"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(ctx.timezone)
        day = parse_date(value)
        if self.min is not None and day < self.min:
            raise FieldValueError(f"不能早于 {self.min}", f"must be on or after {self.min}")
        if self.max is not None and day > self.max:
            raise FieldValueError(f"不能晚于 {self.max}", f"must be on or before {self.max}")
        return day.isoformat()

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date"}

    def to_cell(self, value: Any) -> Any:
        return date.fromisoformat(value)
