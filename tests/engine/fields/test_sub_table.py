"""sub_table: line items validated row by row like small records; problems are reported as `[2].qty`."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
LINES = parse_field({"key": "lines", "type": "sub_table", "label": "报价明细", "min_rows": 1, "max_rows": 3, "fields": [
    {"key": "item", "type": "text", "label": "产品", "required": True},
    {"key": "qty", "type": "number", "label": "数量", "default": 1, "min": 1},
    {"key": "unit_price", "type": "money", "label": "单价"},
]})


def test_sub_table_normalizes_each_cell_and_applies_row_defaults() -> None:
    rows = [{"item": " 轴承 ", "qty": "2", "unit_price": "35.5"}, {"item": "油封", "unit_price": ""}]
    assert LINES.normalize(rows, CTX) == [{"item": "轴承", "qty": 2, "unit_price": "35.50"}, {"item": "油封", "qty": 1}]


def test_sub_table_reports_every_row_problem_with_its_path() -> None:
    with pytest.raises(FieldValueError) as e:
        LINES.normalize([{"qty": 0}, {"item": "x", "size": 3}, "x", {"item": "y"}], CTX)
    assert [(i.path, i.code) for i in e.value.issues] == [
        ("[0].item", "required"), ("[0].qty", "invalid_value"), ("[1].size", "unknown_field"),
        ("[2]", "invalid_type"), ("", "too_many_rows")]
    assert e.value.message == "明细有 5 处错误"


def test_sub_table_counts_rows() -> None:
    with pytest.raises(FieldValueError) as e:
        parse_field({"key": "l", "type": "sub_table", "label": "明细", "min_rows": 2,
                     "fields": [{"key": "x", "type": "text", "label": "x"}]}).normalize([{"x": "a"}], CTX)
    assert [i.code for i in e.value.issues] == ["too_few_rows"]


@pytest.mark.parametrize(("fields", "message"), [
    ([], "at least one field"),
    ([{"key": "x", "type": "sub_table", "label": "套娃", "fields": [{"key": "y", "type": "text", "label": "y"}]}],
     "cannot hold another sub_table"),
    ([{"key": "n", "type": "auto_number", "label": "行号", "pattern": "{seq}"}], "cannot hold an auto_number"),
], ids=["empty", "nested", "auto-number"])
def test_sub_table_refuses_empty_or_nested_definitions(fields: list[object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_field({"key": "l", "type": "sub_table", "label": "明细", "fields": fields})


def test_sub_table_cell_is_json_of_the_rows() -> None:
    rows = [{"item": "轴承", "qty": 2}]
    assert json.loads(LINES.to_cell(rows)) == rows and LINES.normalize(LINES.from_cell(LINES.to_cell(rows)), CTX) == rows
    with pytest.raises(FieldValueError, match="JSON"):
        LINES.from_cell("轴承×2")


def test_sub_table_schema_describes_its_columns() -> None:
    items = LINES.json_schema()["items"]
    assert set(items["properties"]) == {"item", "qty", "unit_price"} and items["required"] == ["item"]
