"""Contract tests over the whole field type registry: every type round-trips through a spreadsheet
cell, describes its values in a valid JSON Schema, and is documented."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from engine.app import AppDefinition
from engine.app_check import validate_app
from engine.forms.fields import FieldType, field_types, parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "field-types.md").read_text(encoding="utf-8")
PHOTO = {"id": "a" * 32, "name": "现场照片.png", "size": 2048, "content_type": "image/png"}

# type -> (extra definition options, inputs). A registered type without samples fails the suite,
# so a new type cannot join without its contract being checked.
SAMPLES: dict[str, tuple[dict[str, Any], list[Any]]] = {
    "text": ({"max_length": 50}, ["苏州恒瑞精密机械有限公司", "  ABC  ", 12345]),
    "textarea": ({}, ["第一行\n第二行", "需求：\r\n1. 报价"]),
    "number": ({"min": 0}, [3, "1,200", 2.5, "１２"]),
    "money": ({}, ["1,234.5", 99, "¥0.01", "-3"]),
    "percent": ({}, ["12.5%", 0.3, "100%"]),
    "date": ({}, ["2026-11-24", "2026/2/28", "2026年12月1日"]),
    "datetime": ({}, ["2026-11-24 08:30", "2026-11-24T00:30:00Z", "2026-06-30T23:59:59+08:00"]),
    "boolean": ({}, [True, "是", "否", 0]),
    "select": ({"options": ["A", {"value": "B", "label": "B类", "color": "#f00"}]}, ["A", "B类"]),
    "multi_select": ({"options": ["决策者", "影响者", "使用者"]}, ["使用者，决策者", ["影响者"]]),
    "cascade": ({"options": [{"value": "制造业", "children": ["汽车零配件", "电子电器"]}, "金融"]},
                ["制造业/汽车零配件", ["金融"], "制造业"]),
    "address": ({}, ["广东省深圳市南山区科技园南路1号", {"province": "北京市", "city": "北京市", "district": "朝阳区"}]),
    "phone": ({}, ["+86 138-0013-8000", "0755-12345678 转 8", "+1 415 555 2671"]),
    "email": ({}, ["Wang.Li@Example.COM"]),
    "url": ({}, ["www.example.cn/about", "HTTP://Example.com/a?b=1"]),
    "user": ({}, ["wang.li"]),
    "users": ({}, ["wang.li, li.na", ["zhang.wei"]]),
    "department": ({}, ["sales_east"]),
    "relation": ({"target": "customer"}, [7, "12", {"id": 3}]),
    "auto_number": ({"pattern": "QT-{YYYY}{MM}-{seq:4}"}, ["QT-202611-0001"]),
    "attachment": ({"accept": ["image/*"]}, [[PHOTO], PHOTO]),
    "formula": ({"formula": "1 + 1"}, ["2", 3, "0.125"]),
    "lookup": ({"relation": "customer", "field": "level"}, ["A"]),
    "rollup": ({"source": {"form": "contract", "field": "customer"}, "agg": "sum", "of": "amount"}, ["1200.5"]),
    "rating": ({"max": 5}, [4, "3", 5.0, "★★☆☆☆", "１"]),
    "sub_table": ({"fields": [{"key": "part", "type": "text", "label": "配件", "required": True},
                              {"key": "qty", "type": "number", "label": "数量"},
                              {"key": "unit_price", "type": "money", "label": "单价"}]},
                  [[{"part": "轴承", "qty": "2", "unit_price": "35.5"}, {"part": "油封"}]]),
}


def _field(type_name: str) -> FieldType:
    options, _ = SAMPLES[type_name]
    return parse_field({"key": "f", "type": type_name, "label": "字段", **options})


TYPES = field_types.keys()


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_every_type_has_samples(type_name: str) -> None:
    assert type_name in SAMPLES, f"add samples for {type_name!r} to SAMPLES"


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_normalized_values_are_json_and_round_trip_through_a_cell(type_name: str) -> None:
    field, ctx = _field(type_name), ValueContext(LITERAL_MOMENT)
    for given in SAMPLES[type_name][1]:
        value = field.normalize(given, ctx)
        assert json.loads(json.dumps(value)) == value
        assert field.normalize(value, ctx) == value, "normalising twice changes nothing"
        if type_name == "attachment":  # a cell names files by id: the runtime completes them from its store
            assert [f["id"] for f in field.from_cell(field.to_cell(value))] == [f["id"] for f in value]
            continue
        assert field.normalize(field.from_cell(field.to_cell(value)), ctx) == value


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_json_schema_is_valid_and_describes_the_stored_values(type_name: str) -> None:
    field = _field(type_name)
    schema = field.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for given in SAMPLES[type_name][1]:
        jsonschema.validate(field.normalize(given, ValueContext(LITERAL_MOMENT)), schema)


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_every_type_is_documented(type_name: str) -> None:
    assert re.search(rf"^## {type_name}$", DOCS, re.MULTILINE), f"docs/field-types.md needs '## {type_name}'"


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_unknown_definition_options_are_refused(type_name: str) -> None:
    options, _ = SAMPLES[type_name]
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        parse_field({"key": "f", "type": type_name, "label": "字段", **options, "colour_me": True})


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_filter_operators_are_known(type_name: str) -> None:
    known = {"eq", "ne", "in", "lt", "lte", "gt", "gte", "contains", "starts_with", "has", "blank", "not_blank"}
    assert set(_field(type_name).filter_ops) <= known
    if not _field(type_name).is_sortable():
        assert not {"lt", "lte", "gt", "gte"} & set(_field(type_name).filter_ops)


def app_with(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "t", "name": "测试", "forms": [
        {"key": "customer", "name": "客户", "fields": [{"key": "name", "type": "text", "label": "名称"}]},
        {"key": "deal", "name": "商机", "fields": [{"key": "title", "type": "text", "label": "标题"}, *fields]}]}


CASCADE = [{"value": "制造业", "children": ["汽车零配件"]}]


@pytest.mark.parametrize(("field", "path", "code"), [
    ({"type": "relation", "target": "nope"}, "target", "unknown_form"),
    ({"type": "select", "options": ["a"], "default": "b"}, "default", "invalid_default"),
    ({"type": "cascade", "options": CASCADE, "default": "制造业/食品"}, "default", "invalid_default"),
    ({"type": "cascade", "options": CASCADE, "leaf_only": True, "default": ["制造业"]}, "default", "invalid_default"),
    ({"type": "phone", "default": "12345"}, "default", "invalid_default"),
    ({"type": "auto_number", "pattern": "SJ-{YYYY}"}, "pattern", "value_error"),
    ({"type": "text", "pattern": "("}, "pattern", "value_error"),
    ({"type": "number", "min": 10, "max": 1}, "min", "invalid_bounds"),
    ({"type": "date", "min": "2026-12-01", "max": "2026-01-01"}, "min", "invalid_bounds"),
    ({"type": "text", "min_length": 5, "max_length": 2}, "min_length", "invalid_bounds"),
    ({"type": "multi_select", "options": ["a", "b"], "min_selected": 2, "max_selected": 1}, "min_selected",
     "invalid_bounds"),
    ({"type": "phone", "kind": "landline"}, "kind", "literal_error"),
    ({"type": "percent", "scale": 20}, "scale", "less_than_equal"),
    ({"type": "multi_select", "options": ["a"], "unique": True}, "unique", "not_indexable"),
    ({"type": "sub_table", "fields": [{"key": "x", "type": "sub_table", "label": "套娃",
                                       "fields": [{"key": "y", "type": "text", "label": "y"}]}]}, "fields", "value_error"),
    ({"type": "sub_table", "fields": [{"key": "x", "type": "relation", "label": "产品", "target": "nope"}]},
     "fields[0].target", "unknown_form"),
    ({"type": "sub_table", "fields": [{"key": "x", "type": "text", "label": "a"}, {"key": "x", "type": "text",
                                                                                    "label": "b"}]},
     "fields[1].key", "duplicate_key"),
    ({"type": "sub_table", "fields": [{"key": "x", "type": "text", "label": "a", "unique": True}]},
     "fields[0].unique", "not_indexable"),
    ({"type": "sub_table", "fields": [{"key": "qty", "type": "number", "label": "数量", "default": "many"}]},
     "fields[0].default", "invalid_default"),
], ids=["relation-target", "select-default", "cascade-default", "cascade-leaf-default", "phone-default",
        "auto-number-pattern", "regex", "number-bounds", "date-bounds", "length-bounds", "selected-bounds",
        "phone-kind", "percent-scale", "unique-list", "nested-sub-table", "sub-field-target", "sub-field-duplicate",
        "sub-field-unique", "sub-field-default"])
def test_bad_definition_options_are_reported_at_their_json_path(field: dict[str, Any], path: str, code: str) -> None:
    issues = validate_app(app_with({"key": "f", "label": "字段", **field}))
    assert (f"forms[1].fields[1].{path}", code) in [(i.path, i.code) for i in issues]


def test_a_good_definition_of_every_type_has_no_issues() -> None:
    fields = [{"key": f"f_{name}", "type": name, "label": name, **SAMPLES[name][0]} for name in TYPES]
    app = app_with(*fields)
    app["forms"].append({"key": "contract", "name": "合同", "fields": [
        {"key": "customer", "type": "relation", "label": "客户", "target": "deal"},
        {"key": "amount", "type": "money", "label": "金额"}]})
    app["forms"][0]["fields"].append({"key": "level", "type": "select", "label": "等级", "options": ["A", "B"]})
    app["forms"][1]["fields"].append({"key": "customer", "type": "relation", "label": "客户", "target": "customer"})
    assert [i.as_dict("en") for i in validate_app(app)] == []


def test_the_app_json_schema_still_generates_with_sub_tables() -> None:
    schema = json.dumps(AppDefinition.model_json_schema())
    assert '"sub_table"' in schema and '"attachment"' in schema
