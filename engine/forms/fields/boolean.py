"""boolean: yes or no (是否主联系人)."""

from __future__ import annotations

from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.palette import Palette

_TRUE = {"true", "1", "yes", "y", "是", "√", "✓", "对", "on"}
_FALSE = {"false", "0", "no", "n", "否", "×", "✗", "错", "off"}


class BooleanField(FieldType):
    """Accepts true/false, 1/0, 是/否, yes/no, √/×."""

    type: Literal["boolean"]

    storage = "bool"
    value_type = "bool"
    filter_ops = ("eq", "blank", "not_blank")
    palette = Palette("是/否", "Yes / no", "basic", "☑")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():  # a spreadsheet's 1.0
            value = int(value)
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise FieldValueError(f"“{value}”不是“是”或“否”", f"{value!r} is not yes or no")

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}
