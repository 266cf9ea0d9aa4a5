"""Encrypted fields in definitions: allowed on text-like types only, and refused (with the JSON path)
wherever the database would need their order or text, or a copy of the value would be stored."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from engine.app_check import validate_app

BASE: dict[str, Any] = {
    "format": "tangram/app@1", "key": "clinic", "name": "诊所", "version": "1.0.0",
    "forms": [
        {"key": "patient", "name": "患者", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "姓名"},
            {"key": "tel", "type": "phone", "label": "电话", "encrypted": True, "unique": True, "indexed": True},
            {"key": "mail", "type": "email", "label": "邮箱", "encrypted": True},
            {"key": "notes", "type": "textarea", "label": "病史", "encrypted": True},
            {"key": "site", "type": "url", "label": "主页", "encrypted": True},
            {"key": "visits", "type": "number", "label": "就诊次数"},
        ]},
        {"key": "visit", "name": "就诊", "title_field": "topic", "fields": [
            {"key": "topic", "type": "text", "label": "主诉"},
            {"key": "patient", "type": "relation", "label": "患者", "target": "patient"},
        ]},
    ],
}


def _with(change: Any) -> dict[str, Any]:
    definition = copy.deepcopy(BASE)
    change(definition)
    return definition


def _paths(definition: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i.path, i.code) for i in validate_app(definition)]


def test_text_like_fields_may_be_encrypted_unique_and_used_by_rules_and_visibility() -> None:
    def rules(d: dict[str, Any]) -> None:
        d["forms"][0]["fields"][2]["visible_when"] = 'tel != ""'
        d["forms"][0]["fields"][0]["rules"] = [{"expr": 'ISBLANK(mail) OR name != ""', "message": "x"}]

    assert _paths(_with(rules)) == []


CASES = [
    (lambda d: d["forms"][0]["fields"][5].update(encrypted=True), "forms[0].fields[5].encrypted", "not_encryptable"),
    (lambda d: d["forms"][0].update(title_field="mail"), "forms[0].title_field", "encrypted_field"),
    (lambda d: d["forms"][0].update(search_fields=["notes"]), "forms[0].search_fields[0]", "encrypted_field"),
    (lambda d: d["forms"][0].update(indexes=[["-site"]]), "forms[0].indexes[0][0]", "encrypted_field"),
    (lambda d: d["forms"][1]["fields"].append({"key": "ptel", "type": "lookup", "label": "患者电话",
                                               "relation": "patient", "field": "tel"}),
     "forms[1].fields[2].field", "encrypted_field"),
    (lambda d: d["forms"][0]["fields"].append({"key": "short", "type": "formula", "label": "尾号",
                                               "formula": "RIGHT(tel, 4)", "result": "text"}),
     "forms[0].fields[6].formula", "encrypted_field"),
    (lambda d: d["forms"][1]["fields"].append({"key": "who", "type": "formula", "label": "患者邮箱",
                                               "formula": "patient.mail", "result": "text"}),
     "forms[1].fields[2].formula", "encrypted_field"),
    (lambda d: d.update(reports=[{"key": "r", "name": "看板", "widgets": [
        {"key": "w", "type": "bar", "form": "patient", "dimensions": [{"field": "name"}],
         "measures": [{"agg": "count"}], "filter": 'mail = "a@b.cn"'}]}]), "reports[0].widgets[0].filter", "encrypted_field"),
    (lambda d: d.update(reports=[{"key": "r", "name": "看板", "widgets": [
        {"key": "w", "type": "table", "form": "patient", "dimensions": [{"field": "notes"}],
         "measures": [{"agg": "count"}]}]}]), "reports[0].widgets[0].dimensions[0].field", "encrypted_field"),
    (lambda d: d.update(reports=[{"key": "r", "name": "看板", "filters": [{"field": "tel"}], "widgets": [
        {"key": "w", "type": "table", "form": "patient", "dimensions": [{"field": "name"}],
         "measures": [{"agg": "count"}]}]}]), "reports[0].filters[0].field", "encrypted_field"),
]


@pytest.mark.parametrize(("change", "path", "code"), CASES, ids=[
    "number", "title", "search", "sort_index", "lookup", "formula", "formula_through_relation",
    "widget_filter", "widget_dimension", "dashboard_filter"])
def test_an_encrypted_field_used_where_its_order_or_a_copy_is_needed_is_refused_at_its_path(
        change: Any, path: str, code: str) -> None:
    assert _paths(_with(change)) == [(path, code)]
