"""datetime: a moment (最近跟进时间), timezone-aware, stored in UTC as "YYYY-MM-DDTHH:MM:SSZ"."""

from __future__ import annotations

from datetime import UTC
from typing import Any, Literal

from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.dates import parse_datetime
from engine.forms.fields.palette import Palette

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class DateTimeField(FieldType):
    """Input without an offset is in the app's time zone (Asia/Shanghai); seconds precision, fixed
    width, so comparing the stored text compares the moments."""

    type: Literal["datetime"]

    value_type = "datetime"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("日期时间", "Date & time", "basic", "◷")
    filter_widget = "datetime"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        moment = parse_datetime(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ctx.timezone)
        return moment.astimezone(UTC).strftime(FORMAT)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
