"""money: an exact decimal amount (元), never a float; stored as a decimal string."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, ValueContext
from engine.forms.fields.numbers import check_bounds, exact_places, parse_decimal
from engine.forms.fields.palette import Palette


class MoneyField(FieldType):
    """An amount of money with a fixed number of decimals (合同金额)."""

    type: Literal["money"]
    currency: str = "CNY"
    scale: int = Field(default=2, ge=0, le=6)
    min: Decimal | None = None
    max: Decimal | None = None

    storage = "number"
    value_type = "number"
    report_unit = "money"
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("金额", "Money", "basic", "¥")
    filter_widget = "number"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        amount = exact_places(parse_decimal(value), self.scale)
        check_bounds(amount, self.min, self.max)
        return str(amount)

    def json_schema(self) -> dict[str, Any]:
        decimals = rf"(\.\d{{{self.scale}}})" if self.scale else ""
        return {"type": "string", "pattern": rf"^-?\d+{decimals}$", "description": f"{self.currency} amount"}

    def to_cell(self, value: Any) -> Any:
        return Decimal(value)
