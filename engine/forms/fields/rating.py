"""rating: 1 to 5 stars (客户满意度, 线索质量), stored as a whole number; `max` may be 1 to 10."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.numbers import parse_decimal
from engine.forms.fields.palette import Palette

_STARS = frozenset("★☆")


class RatingField(FieldType):
    """A whole number of stars from 1 to `max` (5); "★★★★☆" (a list cell, a sheet) reads as 4."""

    type: Literal["rating"]
    max: int = Field(default=5, ge=1, le=10)

    storage = "integer"
    value_type = "number"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("评分", "Rating", "basic", "★")
    list_cell = "stars"
    filter_widget = "number"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, str) and value.strip() and set(value.strip()) <= _STARS:
            value = value.count("★")
        try:
            number = parse_decimal(value)
        except FieldValueError:
            number = None
        if number is None or number != number.to_integral_value() or not 1 <= number <= self.max:
            raise FieldValueError(f"评分应为 1 到 {self.max} 的整数", f"a rating is a whole number from 1 to {self.max}")
        return int(number)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "integer", "minimum": 1, "maximum": self.max}
