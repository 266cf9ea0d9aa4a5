"""percent: a fraction stored exactly ("0.125" is 12.5%), so expressions can compute 1 - discount."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.numbers import check_bounds, exact_places, parse_decimal
from engine.forms.fields.palette import Palette


class PercentField(FieldType):
    """A rate (赢率, 折扣). "12.5%" and 0.125 are the same value; numbers are fractions, as in Excel."""

    type: Literal["percent"]
    min: Decimal | None = None
    max: Decimal | None = None
    scale: int = Field(default=4, ge=0, le=8)

    storage = "number"
    value_type = "number"
    report_unit = "percent"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("百分比", "Percent", "basic", "%")
    filter_widget = "number"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        text = value.strip().replace("％", "%") if isinstance(value, str) else None
        fraction = parse_decimal(text[:-1]) / 100 if text and text.endswith("%") else parse_decimal(value)
        exact = exact_places(fraction, self.scale)
        check_bounds(exact, self.min, self.max)
        return format(exact.normalize(), "f") if exact else "0"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "a fraction: 0.125 is 12.5%"}

    def to_cell(self, value: Any) -> Any:
        return format((Decimal(value) * 100).normalize(), "f") + "%"
