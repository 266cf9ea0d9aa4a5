"""Print placeholders two relations away (`{{ contact.account.name }}`) and in sub-table rows (`{{ product.name }}`
inside `#each lines`): printed with the reader's rights on each related form (a hidden field, or a record they may
not read, prints empty, and nothing beyond it), fetched a hop at a time with one query per related form for a
whole selection, rows included."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import Maker
from tests.print_reads import related_reads

ORDERS = "/api/v1/apps/trade/forms/order"
SHEET = ("<p>[{{ title }}][{{ contact.name }}][{{ contact.account.name }}][{{ contact.account.credit }}]</p>"
         "{{#each lines}}<p>({{ product.name }}|{{ product.unit }}|{{ product.cost }}|{{ qty }})</p>{{/each}}")
TRADE: dict[str, Any] = {
    "format": "tangram/app@1", "key": "trade", "name": "贸易", "version": "1.0.0",
    "forms": [
        {"key": "account", "name": "客户账户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "credit", "type": "money", "label": "授信额度"},
        ]},
        {"key": "contact", "name": "联系人", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "姓名", "required": True},
            {"key": "account", "type": "relation", "label": "账户", "target": "account"},
        ]},
        {"key": "product", "name": "产品", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "产品名称", "required": True},
            {"key": "unit", "type": "text", "label": "单位"},
            {"key": "cost", "type": "money", "label": "成本价"},
        ]},
        {"key": "order", "name": "订单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "contact", "type": "relation", "label": "联系人", "target": "contact"},
            {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
                {"key": "product", "type": "relation", "label": "产品", "target": "product"},
                {"key": "qty", "type": "number", "label": "数量"},
            ]},
        ], "print_templates": [{"key": "sheet", "name": "订单", "body": SHEET},
                               {"key": "plain", "name": "无关联", "body": "<p>[{{ title }}]</p>{{#each lines}}({{ qty }}){{/each}}"}]},
    ],
    "roles": [{"key": "clerk", "name": "文员", "permissions": {
        "order": {"read": "all"}, "contact": {"read": "all"},
        "account": {"read": "own", "create": True, "fields": {"credit": "hidden"}},
        "product": {"read": "all", "fields": {"cost": "hidden"}},
    }}],
}


@pytest.fixture
def trade(make: Maker) -> dict[str, Any]:
    make.app_def(TRADE)
    clerk = make.user("clerk", admin=False)
    r = make.client.put("/api/v1/apps/trade/roles/clerk/members", json={"users": ["clerk"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    r = make.client.post("/api/v1/apps/trade/forms/account/records", headers=clerk, json={"data": {"name": "恒瑞精密"}})
    assert r.status_code == 201, r.text
    own = r.json()["id"]
    make.client.patch(f"/api/v1/apps/trade/forms/account/records/{own}", headers=make.admin,
                      json={"data": {"credit": 12600}})
    other = make.record("account", {"name": "别家公司", "credit": 500}, app="trade")["id"]
    contacts = [make.record("contact", {"name": n, "account": a}, app="trade")["id"]
                for n, a in (("张伟", own), ("李娜", other))]
    crm = make.record("product", {"name": "CRM 专业版", "unit": "套", "cost": 900}, app="trade")["id"]
    service = make.record("product", {"name": "实施服务", "unit": "人天", "cost": 300}, app="trade")["id"]
    orders = [make.record("order", {"title": f"订单{i}", "contact": c,
                                    "lines": [{"product": crm, "qty": 2}, {"product": service, "qty": 1}]},
                          app="trade")["id"] for i, c in enumerate(contacts)]
    return {"clerk": clerk, "orders": orders, "crm": crm, "service": service}


def _html(make: Maker, ids: list[int], who: dict[str, str], template: str = "sheet") -> str:
    r = make.client.get(f"{ORDERS}/print/{template}", params={"ids": ",".join(map(str, ids)), "format": "html"},
                        headers=who)
    assert r.status_code == 200, r.text
    return r.text


def test_two_hops_and_a_rows_related_fields_print(make: Maker, trade: dict[str, Any]) -> None:
    html = _html(make, trade["orders"], make.admin)
    assert "[订单0][张伟][恒瑞精密][12,600.00]</p><p>(CRM 专业版|套|900.00|2)</p><p>(实施服务|人天|300.00|1)</p>" in html
    assert "[订单1][李娜][别家公司][500.00]" in html


def test_the_readers_rights_apply_on_every_related_form_and_hop(make: Maker, trade: dict[str, Any]) -> None:
    html = _html(make, trade["orders"], trade["clerk"])
    # credit and cost are hidden from a clerk; the second account is not theirs: its hop prints nothing
    assert "[订单0][张伟][恒瑞精密][]</p><p>(CRM 专业版|套||2)</p><p>(实施服务|人天||1)</p>" in html
    assert "[订单1][李娜][][]" in html
    assert "别家公司" not in html and "900.00" not in html


def test_related_records_of_rows_and_hops_are_fetched_once_per_form_for_a_selection(
    make: Maker, trade: dict[str, Any]
) -> None:
    orders = [make.record("order", {"title": f"批量{i}", "contact": None,
                                    "lines": [{"product": trade["crm"], "qty": i}, {"product": trade["service"]}]},
                          app="trade")["id"] for i in range(10)] + trade["orders"]
    few, many = related_reads(make.app.state.db.engine, lambda ids, t: _html(make, ids, make.admin, t), "sheet", "plain",
                              orders, trade["orders"], orders)
    assert few == many > 0  # contacts, their accounts, the rows' products (and their titles): the same for 2 and 12


def test_a_path_that_leads_nowhere_is_refused_when_the_template_is_saved(make: Maker, trade: dict[str, Any]) -> None:
    for body, says in [("{{ contact.account.nope }}", "关联表单“客户账户”没有字段 nope"),
                       ("{{#each lines}}{{ product.nope }}{{/each}}", "关联表单“产品”没有字段 nope")]:
        r = make.client.put(f"{ORDERS}/print-templates/sheet", headers=make.admin, json={"name": "订单", "body": body})
        assert r.status_code == 422, r.text
        assert says in r.text


def test_the_template_builder_lists_two_hops_and_the_rows_related_fields(make: Maker, trade: dict[str, Any]) -> None:
    make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    page = make.client.get("/apps/trade/builder/forms/order/print-templates")
    assert page.status_code == 200, page.text
    data = json.loads(page.text.split('id="print-builder-data">', 1)[1].split("</script>", 1)[0])
    by_key = {f["key"]: f for f in data["fields"]}
    contact = {r["key"]: r["label"] for r in by_key["contact"]["related"]}
    assert contact["contact.name"] == "联系人.姓名" and contact["contact.account.name"] == "联系人.账户.名称"
    lines = by_key["lines"]
    assert lines["in_rows"] and {r["key"]: r["label"] for r in lines["related"]}["product.unit"] == "产品.单位"
