"""Formulas, default formulas, validation rules and editable_when, through the records API."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from engine.app_check import validate_app

QUOTES = {
    "key": "sales", "name": "销售", "forms": [{
        "key": "quote", "name": "报价单", "title_field": "title",
        "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
                {"key": "item", "type": "text", "label": "品名", "required": True},
                {"key": "qty", "type": "number", "label": "数量", "default": 1},
                {"key": "unit_price", "type": "money", "label": "单价"},
                {"key": "subtotal", "type": "formula", "label": "小计", "formula": "qty * unit_price", "scale": 2},
            ]},
            {"key": "discount", "type": "percent", "label": "折扣", "default": "0",
             "rules": [{"expr": "discount <= 0.3", "message": "折扣不能超过 30%"}]},
            {"key": "total", "type": "formula", "label": "总额", "scale": 2,
             "formula": "ROUND(SUM(lines.subtotal) * (1 - discount), 2)"},
            {"key": "size", "type": "formula", "label": "规模", "result": "text",
             "formula": 'IF(total > 100000, "大单", "普通")'},
            {"key": "valid_until", "type": "date", "label": "有效期至", "default_formula": 'DATEADD(TODAY(), 30, "D")'},
            {"key": "status", "type": "select", "label": "状态", "options": ["草稿", "已批准"], "default": "草稿"},
            {"key": "note", "type": "text", "label": "备注", "editable_when": 'status = "草稿"'},
        ],
    }],
}


def _url(make: Any) -> str:
    return make.url("quote", "sales")


def _quote(make: Any, **data: Any) -> Any:
    body = {"title": "一号报价", "lines": [{"item": "CRM 专业版", "qty": 2, "unit_price": "89800"},
                                           {"item": "实施服务", "qty": "10", "unit_price": "2500.5"}], **data}
    return make.client.post(_url(make), json={"data": body}, headers=make.admin)


def test_formulas_are_computed_and_stored_on_create(make: Any) -> None:
    make.app_def(QUOTES)
    r = _quote(make, discount="10%")
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert [line["subtotal"] for line in data["lines"]] == ["179600.00", "25005.00"]
    assert data["total"] == "184144.50" and data["size"] == "大单"


def test_formulas_follow_every_update_and_can_be_filtered(make: Any) -> None:
    make.app_def(QUOTES)
    quote = _quote(make).json()
    url = f"{_url(make)}/{quote['id']}"
    r = make.client.patch(url, json={"data": {"lines": [{"item": "培训", "unit_price": "6000"}]}}, headers=make.admin)
    assert r.json()["data"]["total"] == "6000.00" and r.json()["data"]["size"] == "普通"
    found = make.client.get(_url(make), params={"filter": 'size = "普通" AND total < 10000'}, headers=make.admin)
    assert [i["id"] for i in found.json()["items"]] == [quote["id"]]
    sorted_ = make.client.get(_url(make), params={"sort": "-total"}, headers=make.admin)
    assert sorted_.status_code == 200


def test_formulas_cannot_be_written(make: Any) -> None:
    make.app_def(QUOTES)
    r = _quote(make, total="1")
    assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "read_only"


def test_validation_rule_refuses_with_its_message(make: Any) -> None:
    make.app_def(QUOTES)
    r = _quote(make, discount="35%")
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [{"path": "discount", "code": "rule", "message": "折扣不能超过 30%"}]


def test_default_formula_fills_a_field_not_given(make: Any) -> None:
    make.app_def(QUOTES)
    now = make.client.app.state.clock
    data = _quote(make).json()["data"]
    assert len(data["valid_until"]) == 10 and now is None
    given = _quote(make, valid_until="2027-01-01").json()["data"]
    assert given["valid_until"] == "2027-01-01"


def test_editable_when_blocks_changes_once_approved(make: Any) -> None:
    make.app_def(QUOTES)
    quote = _quote(make).json()
    url = f"{_url(make)}/{quote['id']}"
    assert make.client.patch(url, json={"data": {"note": "草稿可改"}}, headers=make.admin).status_code == 200
    make.client.patch(url, json={"data": {"status": "已批准"}}, headers=make.admin)
    r = make.client.patch(url, json={"data": {"note": "批准后不可改"}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "not_editable"


def test_bad_expressions_in_a_definition_are_refused_with_path_and_position() -> None:
    broken = {**QUOTES, "forms": [{**QUOTES["forms"][0], "fields": [
        *QUOTES["forms"][0]["fields"][:1],
        {"key": "a", "type": "formula", "label": "A", "formula": "amount * 2"},
        {"key": "b", "type": "formula", "label": "B", "result": "number", "formula": "title"},
        {"key": "c", "type": "text", "label": "C", "rules": [{"expr": "LEN(c)", "message": "x"}]},
        {"key": "d", "type": "text", "label": "D", "visible_when": "title = "},
    ]}]}
    issues = {i.path: i.message_en for i in validate_app(broken)}
    assert issues["forms[0].fields[1].formula"] == "line 1, column 1: form 'quote' has no field 'amount'"
    assert "must give number, not text" in issues["forms[0].fields[2].formula"]
    assert "must give bool" in issues["forms[0].fields[3].rules[0].expr"]
    assert "ends too early" in issues["forms[0].fields[4].visible_when"]


def test_crm_quote_totals_its_lines_after_discounts(make: Any) -> None:
    template = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8"))
    make.app_def(template)
    customer = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")
    quote = make.record("quote", {"customer": customer["id"], "discount": "5%", "lines": [
        {"item": "CRM 专业版", "qty": 2, "unit_price": "89800", "discount": "10%"},
        {"item": "实施服务", "qty": 10, "unit_price": "2500"}]}, app="crm")
    assert [line["subtotal"] for line in quote["data"]["lines"]] == ["161640.00", "25000.00"]
    assert quote["data"]["amount"] == "177308.00"  # (161640 + 25000) × 0.95
    assert quote["data"]["code"].startswith("QT-")
    deal = make.record("opportunity", {"name": "扩容", "customer": customer["id"], "amount": "500000",
                                       "probability": "40%"}, app="crm")
    assert deal["data"]["weighted_amount"] == "200000.00"
    r = make.client.post(make.url("contract", "crm"), json={"data": {
        "title": "销售合同", "customer": customer["id"], "amount": "1000", "starts_on": "2026-12-01",
        "ends_on": "2026-11-01"}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["message"] == "到期日期不能早于开始日期"
    contract = make.record("contract", {"title": "销售合同", "customer": customer["id"], "amount": "1000",
                                        "starts_on": "2026-12-01"}, app="crm")
    assert contract["data"]["ends_on"] == "2027-12-01"


def test_formulas_and_rules_read_the_records_own_columns(make: Any) -> None:
    app = {"key": "notes", "name": "笔记", "forms": [{"key": "note", "name": "笔记", "fields": [
        {"key": "text", "type": "text", "label": "内容", "rules": [
            {"expr": "OWNER = CURRENT_USER()", "message": "只能由负责人修改"}]},
        {"key": "by", "type": "formula", "label": "创建人", "result": "text", "formula": 'CREATED_BY & "@" & YEAR(CREATED_AT)'},
    ]}], "roles": [{"key": "editor", "name": "编辑", "permissions": {"note": {"read": "all", "update": "all"}}}]}
    make.app_def(app)
    note = make.record("note", {"text": "第一条"}, app="notes")
    assert note["data"]["by"].startswith("admin@20")
    other = make.user("li.na", admin=False)
    make.client.put("/api/v1/apps/notes/roles/editor/members", json={"users": ["li.na"]}, headers=make.admin)
    r = make.client.patch(f"{make.url('note', 'notes')}/{note['id']}", json={"data": {"text": "改"}}, headers=other)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["message"] == "只能由负责人修改"


def test_an_app_whose_text_formula_has_no_result_is_accepted_and_stores_text(make: Any) -> None:
    definition = copy.deepcopy(QUOTES)
    size = next(f for f in definition["forms"][0]["fields"] if f["key"] == "size")
    del size["result"]  # the builder writes none: the expression says it gives text
    make.app_def(definition)
    data = _quote(make).json()["data"]
    assert data["size"] == "大单"
    r = make.client.get(_url(make), params={"filter": 'size = "大单"'}, headers=make.admin)
    assert [i["data"]["size"] for i in r.json()["items"]] == ["大单"]
