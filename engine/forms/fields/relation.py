"""relation: a link to records of another form (联系人 → 客户), one or many, stored by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from engine.errors import FieldValueError, Issue
from engine.forms.fields.base import CONTAINER_OPS, EQUALITY_OPS, FieldType, Storage, ValueContext
from engine.forms.fields.palette import Palette
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition


MAX_ID = 2**63 - 1
"""Record ids are 64-bit integers on both databases: a larger number names no record."""


def record_id(value: Any) -> int:
    """A record id given as an int, a digit string or {"id": n} (what the API returns)."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise FieldValueError(f"“{value}”不是有效的记录编号", f"{value!r} is not a record id")
    return value


class RelationField(FieldType):
    """One record of `target` (stored as its id), or several (`multiple`: a sorted list of ids)."""

    type: Literal["relation"]
    target: Key
    multiple: bool = False

    refers_to = "record"
    value_type = "number"  # the id; a relation's fields are reached as relation.field
    palette = Palette("关联记录", "Relation", "link", "⇄", from_app=True)

    @property
    def filter_ops(self) -> tuple[str, ...]:  # type: ignore[override]  # the base's class attribute, computed here from `multiple`
        return CONTAINER_OPS if self.multiple else EQUALITY_OPS

    def expression_type(self) -> str | None:
        return "list[number]" if self.multiple else "number"

    def storage_kind(self) -> Storage:
        return "json" if self.multiple else "integer"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if not self.multiple:
            return record_id(value)
        items = value if isinstance(value, list | tuple) else str(value).replace("，", ",").split(",")
        return sorted({record_id(i) for i in items if str(i).strip()})

    def json_schema(self) -> dict[str, Any]:
        one = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        return {"type": "array", "items": one, "uniqueItems": True} if self.multiple else one

    def check(self, form: FormDefinition, app: AppDefinition) -> list[Issue]:
        if self.target not in app.forms_by_key:
            return [Issue("target", "unknown_form", f"关联的表单 {self.target} 不存在",
                          f"relation target {self.target!r} is not a form of the app")]
        return super().check(form, app)

    def references(self, value: Any) -> list[Any]:
        return list(value) if self.multiple else [value]

    def to_cell(self, value: Any) -> Any:
        return ",".join(str(v) for v in value) if self.multiple else value
