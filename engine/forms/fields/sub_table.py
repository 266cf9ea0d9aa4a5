"""sub_table: line items with their own fields (报价明细: 产品, 数量, 单价), stored as a list of rows."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator

from engine.errors import FieldValueError, Issue
from engine.forms.bounds import check_input
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.keys import repeated
from engine.model_words import Refusal

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition

    SubField = FieldType  # for type checkers; pydantic reads the union of field types (fields/__init__.py)


class SubTableField(FieldType):
    """Rows of typed fields; each row is validated like a small record, problems as `[2].qty`."""

    type: Literal["sub_table"]
    fields: list[SubField]  # the union of field types, resolved in fields/__init__.py
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=1)

    storage = "json"
    value_type = None
    sortable = False
    filter_ops = ("blank", "not_blank")
    palette = Palette("子表", "Sub-table", "more", "▤", {"fields": [{"key": "item", "type": "text", "label": "名称"}]})
    in_sub_table = False
    list_cell = "rows"

    @field_validator("fields")
    @classmethod
    def _flat(cls, fields: list[FieldType]) -> list[FieldType]:
        if not fields:
            raise Refusal("子表至少要有一个字段", "a sub_table needs at least one field")
        if any(f.type == "sub_table" for f in fields):
            raise Refusal("子表里不能再放子表", "a sub_table cannot hold another sub_table")
        if any(f.type == "auto_number" for f in fields):
            raise Refusal("子表里不能放自动编号（子表的行不编号）",
                          "a sub_table cannot hold an auto_number (rows are not numbered by Tangram)")
        refused = sorted({f.type for f in fields if not type(f).in_sub_table})
        if refused:
            raise Refusal(f"子表里不能放这些类型的列：{'、'.join(refused)}",
                          f"a sub_table cannot hold a column of type {', '.join(refused)}")
        return fields

    def _row(self, i: int, row: Any, ctx: ValueContext, issues: list[Issue]) -> dict[str, Any]:
        if not isinstance(row, dict):
            issues.append(Issue(f"[{i}]", "invalid_type", "每一行应为对象", "each row is an object"))
            return {}
        by_key = {f.key: f for f in self.fields}
        out: dict[str, Any] = {}
        for key in row.keys() - by_key.keys():
            issues.append(Issue(f"[{i}].{key}", "unknown_field", f"明细没有字段 {key}", f"rows have no field {key!r}"))
        for field in self.fields:
            value = row.get(field.key)
            if field.is_blank(value):
                value = field.default
            if field.is_blank(value):
                if field.required:
                    issues.append(Issue(f"[{i}].{field.key}", "required", f"“{field.label}”为必填项",
                                        f"{field.key!r} is required"))
                continue
            try:
                check_input(field, value, ctx.limits)  # a cell is bounded like the field it is
                out[field.key] = field.normalize(value, ctx)
            except FieldValueError as e:
                issues.append(Issue(f"[{i}].{field.key}", e.code, e.message, e.message_en))
        return out

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if not isinstance(value, list | tuple):
            raise FieldValueError("明细应为行的列表", "expected a list of rows")
        issues: list[Issue] = []
        check_input(self, value, ctx.limits)  # the rows counted before any is looked at (a sub_table in a form)
        rows = [self._row(i, row, ctx, issues) for i, row in enumerate(value)]
        if self.max_rows is not None and len(rows) > self.max_rows:
            issues.append(Issue("", "too_many_rows", f"最多 {self.max_rows} 行", f"at most {self.max_rows} rows"))
        if self.min_rows is not None and len(rows) < self.min_rows:
            issues.append(Issue("", "too_few_rows", f"至少 {self.min_rows} 行", f"at least {self.min_rows} rows"))
        if issues:
            raise FieldValueError(f"明细有 {len(issues)} 处错误", f"{len(issues)} problem(s) in the rows",
                                  issues=issues)
        return rows

    def json_schema(self) -> dict[str, Any]:
        props = {f.key: f.json_schema() for f in self.fields}
        required = [f.key for f in self.fields if f.required]
        return {"type": "array", "items": {"type": "object", "properties": props, "required": required,
                                           "additionalProperties": False}}

    def check(self, form: FormDefinition, app: AppDefinition) -> list[Issue]:
        issues = super().check(form, app)
        issues += [Issue(f"fields[{j}].key", "duplicate_key", f"明细字段 {self.fields[j].key} 重复",
                         f"duplicate field key {self.fields[j].key!r}") for j in repeated([f.key for f in self.fields])]
        for j, field in enumerate(self.fields):
            if field.unique or field.indexed:  # indexes cover record fields, not values inside rows
                issues.append(Issue(f"fields[{j}].unique", "not_indexable", "明细字段不能设为唯一或索引",
                                    "a sub_table column cannot be unique or indexed"))
            issues += [Issue(f"fields[{j}].{i.path}", i.code, i.message, i.message_en) for i in field.check(form, app)]
        return issues

    def to_cell(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False)

    def from_cell(self, cell: Any) -> Any:
        if isinstance(cell, str):
            try:
                return json.loads(cell)
            except ValueError:
                raise FieldValueError("明细单元格应为 JSON 行列表", "a sub_table cell holds a JSON list of rows") from None
        return cell
