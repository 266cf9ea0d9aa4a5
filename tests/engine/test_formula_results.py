"""A formula's `result`: inferred from its expression when not written, enforced when written."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.app_check import parse_app, validate_app

APP: dict[str, Any] = {"format": "tangram/app@1", "key": "q", "name": "报价", "version": "1.0.0", "forms": [
    {"key": "customer", "name": "客户", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称"},
        {"key": "tier", "type": "formula", "label": "档次", "formula": 'IF(LEN(name) > 4, "大客户", "普通")'},
    ]},
    {"key": "quote", "name": "报价单", "fields": [
        {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
            {"key": "item", "type": "text", "label": "品名"},
            {"key": "shown", "type": "formula", "label": "显示", "formula": 'item & "（含税）"'}]},
        {"key": "size", "type": "formula", "label": "规模", "formula": 'IF(amount > 100000, "大单", "普通")'},
        {"key": "big", "type": "formula", "label": "是否大单", "formula": 'size = "大单"'},
        {"key": "valid_until", "type": "formula", "label": "有效期", "formula": 'DATEADD(TODAY(), 30, "D")'},
        {"key": "net", "type": "formula", "label": "净额", "formula": "amount * 0.87"},
        {"key": "tier", "type": "formula", "label": "客户档次", "formula": "customer.tier"},
    ]},
]}


@pytest.mark.parametrize(("form", "key", "gives"), [
    ("quote", "size", "text"),
    ("quote", "big", "bool"),  # reads `size` above it, itself inferred
    ("quote", "valid_until", "date"),
    ("quote", "net", "number"),
    ("quote", "tier", "text"),  # another form's inferred formula, through a relation
    ("customer", "tier", "text"),
], ids=["text", "bool-over-inferred", "date", "number", "through-relation", "other-form"])
def test_a_formula_without_result_gives_the_type_of_its_expression(form: str, key: str, gives: str) -> None:
    field = parse_app(APP).form(form).by_key[key]
    assert field.expression_type() == gives


def test_a_sub_table_formula_without_result_is_inferred_and_the_definition_round_trips() -> None:
    form = parse_app(APP).form("quote")
    assert form.by_key["lines"].fields[1].expression_type() == "text"  # type: ignore[attr-defined]
    assert "result" not in form.dump()["fields"][3]  # nothing written that the author did not write


def test_a_result_written_is_still_enforced() -> None:
    app = copy.deepcopy(APP)
    app["forms"][1]["fields"][3]["result"] = "number"
    issues = {i.path: i.message_en for i in validate_app(app)}
    assert "must give number, not text" in (issues["forms[1].fields[3].formula"] or "")


def test_a_formula_giving_a_list_is_refused() -> None:
    app = copy.deepcopy(APP)
    app["forms"][1]["fields"].append({"key": "items", "type": "formula", "label": "品名", "formula": "lines.item"})
    [issue] = validate_app(app)
    assert issue.path == "forms[1].fields[8].formula"
