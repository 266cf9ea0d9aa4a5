"""Print placeholders that read the record a single relation points to (`{{ customer.address }}`,
`{{ CNMONEY(account.credit) }}`): checked against the related form, printed with the reader's rights on that
form (a hidden field, or a related record they may not read, prints empty), fetched once per related form
for a whole selection, and offered by the shipped CRM templates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.factories import Maker
from tests.print_reads import related_reads

CRM = json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8"))
BILLS = "/api/v1/apps/ledger/forms/bill"
LEDGER: dict[str, Any] = {
    "format": "tangram/app@1", "key": "ledger", "name": "账本", "version": "1.0.0",
    "forms": [
        {"key": "account", "name": "客户账户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "phone", "type": "phone", "label": "电话"},
            {"key": "credit", "type": "money", "label": "授信额度"},
        ]},
        {"key": "bill", "name": "账单", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "标题", "required": True},
            {"key": "account", "type": "relation", "label": "账户", "target": "account"},
            {"key": "amount", "type": "money", "label": "金额"},
        ], "print_templates": [{
            "key": "bill_sheet", "name": "账单",
            "body": "<p>[{{ title }}][{{ account.name }}][{{ account.phone }}][{{ account.credit }}]"
                    "[{{ CNMONEY(account.credit) }}][{{ account.name & \"/\" & title }}]</p>",
        }, {"key": "plain", "name": "无关联", "body": "<p>[{{ title }}]</p>"}]},
    ],
    "roles": [{"key": "clerk", "name": "文员", "permissions": {
        "bill": {"read": "all"},
        "account": {"read": "own", "create": True, "fields": {"credit": "hidden"}},
    }}],
}


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "print.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def ledger(make: Maker) -> dict[str, Any]:
    make.app_def(LEDGER)
    clerk = make.user("clerk", admin=False)
    r = make.client.put("/api/v1/apps/ledger/roles/clerk/members", json={"users": ["clerk"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    r = make.client.post("/api/v1/apps/ledger/forms/account/records", headers=clerk,
                         json={"data": {"name": "恒瑞精密", "phone": "0512-66881234"}})
    assert r.status_code == 201, r.text
    own = r.json()["id"]
    make.client.patch(f"/api/v1/apps/ledger/forms/account/records/{own}", headers=make.admin,
                      json={"data": {"credit": 12600}})
    other = make.record("account", {"name": "别家公司", "phone": "021-55550000", "credit": 500}, app="ledger")["id"]
    bills = [make.record("bill", {"title": f"账单{i}", "account": acc, "amount": 1}, app="ledger")["id"]
             for i, acc in enumerate([own, other])]
    return {"clerk": clerk, "bills": bills}


def _html(make: Maker, ids: list[int], who: dict[str, str], template: str = "bill_sheet") -> str:
    r = make.client.get(f"{BILLS}/print/{template}", params={"ids": ",".join(map(str, ids)), "format": "html"},
                        headers=who)
    assert r.status_code == 200, r.text
    return r.text


def test_a_placeholder_reads_the_related_records_fields(make: Maker, ledger: dict[str, Any], tmp_path: Path) -> None:
    html = _html(make, ledger["bills"], make.admin)
    assert "[账单0][恒瑞精密][0512-66881234][12,600.00][壹万贰仟陆佰元整][恒瑞精密/账单0]" in html
    assert "[账单1][别家公司][021-55550000][500.00][伍佰元整][别家公司/账单1]" in html
    r = make.client.get(f"{BILLS}/print/bill_sheet", params={"ids": ledger["bills"][0]}, headers=make.admin)
    text = pdf_text(r.content, tmp_path).replace(" ", "")
    assert "[账单0][恒瑞精密][0512-66881234][12,600.00][壹万贰仟陆佰元整]" in text


def test_the_readers_rights_on_the_related_form_apply(make: Maker, ledger: dict[str, Any]) -> None:
    html = _html(make, ledger["bills"], ledger["clerk"])
    # credit is hidden from a clerk: empty, bare or in an expression
    assert "[账单0][恒瑞精密][0512-66881234][][][恒瑞精密/账单0]" in html
    # the other account is not the clerk's to read: nothing of it prints
    assert "[账单1][][][][][]" in html
    assert "别家公司" not in html and "021-55550000" not in html


def test_a_bill_without_an_account_prints_its_related_placeholders_empty(make: Maker, ledger: dict[str, Any]) -> None:
    lone = make.record("bill", {"title": "无账户"}, app="ledger")["id"]
    assert "[无账户][][][][][]" in _html(make, [lone], make.admin)


def test_related_records_are_fetched_once_per_form_for_a_whole_selection(make: Maker, ledger: dict[str, Any]) -> None:
    accounts = [make.record("account", {"name": f"账户{i}"}, app="ledger")["id"] for i in range(12)]
    bills = [make.record("bill", {"title": f"批量{i}", "account": a}, app="ledger")["id"] for i, a in enumerate(accounts)]
    few, many = related_reads(make.app.state.db.engine, lambda ids, t: _html(make, ids, make.admin, t), "bill_sheet",
                              "plain", bills, bills[:2], bills)
    html = _html(make, bills, make.admin)
    assert few == many > 0  # the related records of 12 bills cost what those of 2 cost
    assert all(f"[批量{i}][账户{i}]" in html for i in range(12))


def test_a_placeholder_naming_a_missing_related_field_is_refused_naming_it(make: Maker) -> None:
    make.app_def(LEDGER)
    r = make.client.put(f"{BILLS}/print-templates/bad", headers=make.admin,
                        json={"name": "坏", "body": "<p>{{ account.fax }}</p>"})
    assert r.status_code == 422, r.text
    assert "account.fax" in r.text
    # a multiple relation (or two hops) is still refused, with the hint
    bad = json.loads(json.dumps(LEDGER))
    bad["key"] = "ledger2"
    bad["forms"][1]["fields"][1]["multiple"] = True
    r = make.client.post("/api/v1/apps", json=bad, headers=make.admin)
    assert r.status_code == 422, r.text
    assert "占位符 {{ account.name }}：只能读取单选关联所指记录的字段" in r.json()["error"]["details"][0]["message"]


def test_the_crm_quote_and_contract_print_the_customers_address_and_phone(make: Maker) -> None:
    make.app_def(CRM)
    customer = make.record("customer", {
        "name": "苏州恒瑞精密机械有限公司", "phone": "0512-66881234",
        "address": {"province": "江苏省", "city": "苏州市", "district": "工业园区", "detail": "星湖街 328 号"},
    }, app="crm")
    contact = make.record("contact", {"name": "王经理", "customer": customer["id"], "mobile": "13912345678"}, app="crm")
    quote = make.record("quote", {"customer": customer["id"], "contact": contact["id"], "quoted_on": "2026-12-06",
                                  "lines": [{"item": "CRM 专业版", "qty": 1, "unit_price": 5000}]}, app="crm")
    r = make.client.get("/api/v1/apps/crm/forms/quote/print/quote_sheet",
                        params={"ids": quote["id"], "format": "html"}, headers=make.admin)
    assert r.status_code == 200, r.text
    for expected in ("0512-66881234", "星湖街 328 号", "13912345678"):
        assert expected in r.text, expected
    contract = make.record("contract", {"title": "CRM 采购", "customer": customer["id"], "amount": 5000}, app="crm")
    r = make.client.get("/api/v1/apps/crm/forms/contract/print/contract_doc",
                        params={"ids": contract["id"], "format": "html"}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert "星湖街 328 号" in r.text and "0512-66881234" in r.text
