"""lookup: a field of the related record, shown here (联系人.客户等级 through 客户). Copied on write
and refreshed when the related record changes, so it filters and sorts like any field."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from engine.errors import Issue
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, Storage, ValueContext
from engine.forms.fields.palette import Palette
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition

RESULT_STORAGE: dict[str, Storage] = {"number": "number", "text": "text", "date": "text", "datetime": "text",
                                      "bool": "bool", "list[text]": "json", "list[number]": "json"}
Result = Literal["number", "text", "date", "datetime", "bool", "list[text]", "list[number]"]


class LookupField(FieldType):
    """`relation`: a single relation field of this form; `field`: a field of the form it points to;
    `result`: that field's type in expressions (text, number, date …), checked when the app is saved."""

    type: Literal["lookup"]
    relation: Key
    field: Key
    result: Result = "text"

    computed = True
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("引用字段", "Lookup", "link", "⤷", from_app=True)
    in_sub_table = False  # a lookup follows the form's relation, not a row's

    def storage_kind(self) -> Storage:
        return RESULT_STORAGE[self.result]

    def expression_type(self) -> str | None:
        return self.result

    def sorts_as_words(self) -> bool:
        return self.result == "text"

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return value  # copied from the related record, which normalised it

    def json_schema(self) -> dict[str, Any]:
        return {"readOnly": True}

    def check(self, form: FormDefinition, app: AppDefinition) -> list[Issue]:
        relation = form.by_key.get(self.relation)
        target = getattr(relation, "target", None)
        if relation is None or relation.type != "relation" or getattr(relation, "multiple", False):
            return [Issue("relation", "unknown_relation", f"{self.relation} 不是本表单的单选关联字段",
                          f"{self.relation!r} is not a single relation field of this form")]
        other = app.forms_by_key.get(target or "")
        looked = other.by_key.get(self.field) if other else None
        if looked is None:
            return [Issue("field", "unknown_field", f"表单 {target} 没有字段 {self.field}",
                          f"form {target!r} has no field {self.field!r}")]
        if looked.expression_type() != self.result:
            return [Issue("result", "wrong_result", f"{target}.{self.field} 的类型是 {looked.expression_type()}，请把 result 设为它",
                          f"{target}.{self.field} is {looked.expression_type()}; set result to that")]
        return []
