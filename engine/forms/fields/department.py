"""department: an organisation unit (所属部门), stored by its key."""

from __future__ import annotations

from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import EQUALITY_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.keys import KEY_PATTERN, KEY_RE


class DepartmentField(FieldType):
    """One department, by key (departments arrive with the organisation issue)."""

    type: Literal["department"]

    refers_to = "department"
    filter_ops = EQUALITY_OPS
    palette = Palette("部门", "Department", "people", "⚑")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, dict):
            value = value.get("key")
        if not isinstance(value, str) or not KEY_RE.match(value.strip()):
            raise FieldValueError(f"“{value}”不是有效的部门编码", f"{value!r} is not a department key")
        return value.strip()

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string", "pattern": KEY_PATTERN}

    def references(self, value: Any) -> list[Any]:
        return [value]
