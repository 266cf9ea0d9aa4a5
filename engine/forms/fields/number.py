"""number: a quantity (数量, 员工人数); stored as a JSON number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.numbers import check_bounds, exact_places, parse_decimal
from engine.forms.fields.palette import Palette


class NumberField(FieldType):
    """A number with optional bounds and decimal places; integral values are stored as integers."""

    type: Literal["number"]
    min: Decimal | None = None
    max: Decimal | None = None
    precision: int | None = Field(default=None, ge=0, le=10)
    unit: str | None = None

    storage = "number"
    value_type = "number"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("数字", "Number", "basic", "#")
    filter_widget = "number"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        number = parse_decimal(value)
        if self.precision is not None:
            exact_places(number, self.precision)
        check_bounds(number, self.min, self.max)
        if number == number.to_integral_value():
            return int(number)
        return float(number)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "number"}
        if self.min is not None:
            schema["minimum"] = float(self.min)
        if self.max is not None:
            schema["maximum"] = float(self.max)
        return schema
