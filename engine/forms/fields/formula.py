"""formula: a value Tangram computes from the record's other fields (小计 = qty * unit_price).

Stored on every write (so it can be filtered, sorted and indexed like any field) and recomputed
whenever the record changes. `result` says what it gives; the expression is checked against the
form when the app is saved (engine/forms/expressions.py)."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import PrivateAttr

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, Storage, ValueContext
from engine.forms.fields.dates import parse_date, parse_datetime
from engine.forms.fields.palette import Palette

_STORAGE: dict[str, Storage] = {"number": "number", "text": "text", "date": "text", "datetime": "text", "bool": "bool"}
Result = Literal["number", "text", "date", "datetime", "bool"]
RESULTS: tuple[str, ...] = get_args(Result)


class FormulaField(FieldType):
    """`formula` in the expression language; `result`: number, text, date, datetime or bool — when not
    given, the type the expression gives (inferred when the app is parsed, engine/forms/expressions.py)."""

    type: Literal["formula"]
    formula: str
    result: Result | None = None
    scale: int | None = None

    computed = True
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("公式", "Formula", "link", "ƒ", {"formula": "1 + 1"})

    _inferred: str | None = PrivateAttr(default=None)

    @property
    def gives(self) -> str:
        """What the formula gives: `result` as written, else as inferred, else number."""
        return self.result or self._inferred or "number"

    def infer(self, kind: str) -> None:
        """Record the type the expression gives, for a formula without `result` (ignored otherwise)."""
        if self.result is None and kind in RESULTS:
            self._inferred = kind

    def storage_kind(self) -> Storage:
        return _STORAGE[self.gives]

    def expression_type(self) -> str | None:
        return self.gives

    def sorts_as_words(self) -> bool:
        return self.gives == "text"

    def store(self, value: Any) -> Any:
        """The computed value as it is stored: numbers as exact decimal strings, dates in ISO."""
        if value is None:
            return None
        if self.gives == "number":
            number = Decimal(value)
            if self.scale is not None:
                number = number.quantize(Decimal(1).scaleb(-self.scale))
            elif number.as_tuple().exponent < -10:  # type: ignore[operator]  # a finite Decimal's exponent is an int
                number = number.quantize(Decimal("1e-10"))
            text = format(number, "f")
            return text.rstrip("0").rstrip(".") if "." in text and self.scale is None else text
        if self.gives == "date":
            return parse_date(value).isoformat()
        if self.gives == "datetime":
            return parse_datetime(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        # Only for values that arrive already computed (imports, type changes): they are recomputed on write.
        try:
            return self.store(value)
        except (ArithmeticError, ValueError, TypeError, FieldValueError):
            raise FieldValueError("公式结果格式不对", "not a value this formula gives") from None

    def json_schema(self) -> dict[str, Any]:
        kind = {"number": "string", "text": "string", "date": "string", "datetime": "string", "bool": "boolean"}
        return {"type": kind[self.gives], "readOnly": True}
