"""relation, auto_number, attachment, sub_table, and definition checks with JSON paths."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.app import validate_app
from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import ValueContext

CTX = ValueContext()


def app_with(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "t", "name": "测试", "forms": [
        {"key": "customer", "name": "客户", "fields": [{"key": "name", "type": "text", "label": "名称"}]},
        {"key": "deal", "name": "商机", "fields": list(fields)}]}


def test_relation_reads_ids_in_the_shapes_the_api_returns() -> None:
    one = parse_field({"key": "c", "type": "relation", "label": "客户", "target": "customer"})
    many = parse_field({"key": "c", "type": "relation", "label": "客户", "target": "customer", "multiple": True})
    assert one.normalize({"id": 7, "title": "甲"}, CTX) == 7 and one.normalize("12", CTX) == 12
    assert many.normalize([{"id": 9}, 3, "9"], CTX) == [3, 9]
    assert one.storage_kind() == "integer" and many.storage_kind() == "json" and not many.is_sortable()
    for bad in (0, -1, "x", True, 1.5):
        with pytest.raises(FieldValueError):
            one.normalize(bad, CTX)


def test_auto_number_scope_follows_local_time_and_restarts_monthly() -> None:
    quote = parse_field({"key": "no", "type": "auto_number", "label": "编号", "pattern": "QT-{YYYY}{MM}-{seq:4}"})
    end_of_november_utc = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # already 1 December in Beijing
    assert quote.scope(end_of_november_utc) == "QT-202612-"
    assert quote.render(end_of_november_utc, 7) == "QT-202612-0007"


def test_attachment_limits_number_and_type() -> None:
    photo = {"id": "f1", "name": "a.png", "size": 3, "content_type": "image/png"}
    single = parse_field({"key": "p", "type": "attachment", "label": "照片", "multiple": False, "accept": [".png"]})
    assert single.normalize(photo, CTX) == [photo]
    with pytest.raises(FieldValueError, match="最多 1 个文件"):
        single.normalize([photo, {**photo, "id": "f2"}], CTX)
    with pytest.raises(FieldValueError, match="不接受文件"):
        single.normalize({**photo, "name": "a.exe"}, CTX)


def test_sub_table_applies_row_defaults_and_reports_every_row_problem() -> None:
    lines = parse_field({"key": "lines", "type": "sub_table", "label": "明细", "max_rows": 2, "fields": [
        {"key": "item", "type": "text", "label": "品名", "required": True},
        {"key": "qty", "type": "number", "label": "数量", "default": 1, "min": 1}]})
    assert lines.normalize([{"item": "螺栓"}], CTX) == [{"item": "螺栓", "qty": 1}]
    with pytest.raises(FieldValueError) as e:
        lines.normalize([{"qty": 0}, {"item": "x", "size": 3}, {"item": "y"}], CTX)
    assert [i.path for i in e.value.issues] == ["[0].item", "[0].qty", "[1].size", ""]


@pytest.mark.parametrize(("field", "path"), [
    ({"key": "c", "type": "relation", "label": "客户", "target": "nope"}, "forms[1].fields[0].target"),
    ({"key": "s", "type": "select", "label": "阶段", "options": ["a"], "default": "b"}, "forms[1].fields[0].default"),
    ({"key": "n", "type": "auto_number", "label": "编号", "pattern": "SJ-{YYYY}"}, "forms[1].fields[0].pattern"),
    ({"key": "t", "type": "text", "label": "名称", "pattern": "("}, "forms[1].fields[0].pattern"),
    ({"key": "tags", "type": "multi_select", "label": "标签", "options": ["a"], "unique": True},
     "forms[1].fields[0].unique"),
    ({"key": "l", "type": "sub_table", "label": "明细", "fields": [
        {"key": "x", "type": "sub_table", "label": "套娃", "fields": [{"key": "y", "type": "text", "label": "y"}]}]},
     "forms[1].fields[0].fields"),
    ({"key": "l", "type": "sub_table", "label": "明细", "fields": [
        {"key": "x", "type": "relation", "label": "产品", "target": "nope"}]}, "forms[1].fields[0].fields[0].target"),
    ({"key": "created_at", "type": "date", "label": "创建"}, "forms[1].fields[0].key"),
    ({"key": "Bad Key", "type": "text", "label": "坏键"}, "forms[1].fields[0].key"),
], ids=["relation-target", "default", "auto-number", "regex", "unique-list", "nested-sub-table",
        "sub-field-target", "reserved-key", "key-pattern"])
def test_bad_definitions_are_reported_at_their_json_path(field: dict[str, Any], path: str) -> None:
    assert path in [i.path for i in validate_app(app_with(field))]
