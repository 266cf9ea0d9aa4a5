"""The field access level `masked` (脱敏): a role that may see a customer's phone only masked sees
139****4321 in every response, export, history, audit entry, related title and page — never the number —
and may neither filter, sort, search, group nor write by it (the errors of an unknown or read-only field)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from runtime.cli import CRM_TEMPLATE
from tests.factories import Maker, shop

PHONE, MASKED_PHONE = "13912344321", "139****4321"
NAME, MASKED_NAME = "司马相如", "司***"
EMAIL, MASKED_EMAIL = "sima@example.cn", "s****@example.cn"
CLERK = {"key": "clerk", "name": "客服", "permissions": {
    "customer": {"create": True, "read": "all", "update": "all", "export": True,
                 "fields": {"phone": "masked", "mail": "masked", "amount": "masked"}},
    "visit": {"read": "all", "create": True}}}
VIEWER = {"key": "viewer", "name": "访客", "permissions": {
    "customer": {"read": "all", "fields": {"name": "masked"}}, "visit": {"read": "all"}}}
VISIT = {"key": "visit", "name": "拜访", "title_field": "topic", "fields": [
    {"key": "topic", "type": "text", "label": "主题", "required": True},
    {"key": "customer", "type": "relation", "label": "客户", "target": "customer"}]}


@pytest.fixture
def people(make: Maker) -> dict[str, Any]:
    definition = shop(roles=[CLERK, VIEWER])
    customer = definition["forms"][0]
    customer["search_fields"] = ["phone", "note"]
    customer["fields"] += [{"key": "phone", "type": "phone", "label": "手机"},
                           {"key": "mail", "type": "email", "label": "邮箱"},
                           {"key": "tail", "type": "formula", "label": "尾号", "formula": "RIGHT(phone, 4)",
                            "result": "text"}]
    definition["forms"].append(VISIT)
    make.app_def(definition)
    for role, user in (("clerk", "clerk"), ("viewer", "viewer")):
        make.user(user, admin=False)
        make.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": [user]}, headers=make.admin)
    record = make.record("customer", {"name": NAME, "phone": PHONE, "mail": EMAIL, "amount": "88000",
                                      "level": "A", "note": "老客户"})
    make.client.patch(f"{make.url()}/{record['id']}", json={"data": {"phone": "13900001111"}}, headers=make.admin)
    make.client.patch(f"{make.url()}/{record['id']}", json={"data": {"phone": PHONE}}, headers=make.admin)
    visit = make.record("visit", {"topic": "回访", "customer": record["id"]})
    return {"clerk": make.user("clerk", admin=False), "viewer": make.user("viewer", admin=False),
            "id": record["id"], "visit": visit["id"]}


def _never_full(text: str) -> None:
    for secret in (PHONE, "13900001111", EMAIL, "88000"):
        assert secret not in text, secret


def test_a_masked_field_is_masked_in_get_list_history_and_audit(make: Maker, people: dict[str, Any]) -> None:
    clerk, url = people["clerk"], f"{make.url()}/{people['id']}"
    got = make.client.get(url, headers=clerk)
    assert got.status_code == 200
    data = got.json()["data"]
    assert (data["phone"], data["mail"], data["amount"], data["name"]) == (MASKED_PHONE, MASKED_EMAIL, "****", NAME)
    listed = make.client.get(make.url(), params={"fields": "name,phone"}, headers=clerk)
    assert listed.json()["items"][0]["data"] == {"name": NAME, "phone": MASKED_PHONE}
    history = make.client.get(f"{url}/history", headers=clerk)
    assert {h["data"]["phone"] for h in history.json()["items"]} == {MASKED_PHONE, "139****1111"}
    audit = make.client.get(f"{url}/audit", headers=clerk)
    assert audit.status_code == 200 and MASKED_PHONE in audit.text
    for text in (got.text, listed.text, history.text, audit.text):
        _never_full(text)
    assert PHONE in make.client.get(url, headers=make.admin).text  # an administrator sees the number


def test_exports_hold_the_mask_never_the_value(make: Maker, people: dict[str, Any]) -> None:
    clerk = people["clerk"]
    csv_file = make.client.get(f"{make.url()}/export", params={"format": "csv"}, headers=clerk)
    assert csv_file.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_file.content[3:].decode("utf-8"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["手机"], row["邮箱"], row["成交金额"]) == (MASKED_PHONE, MASKED_EMAIL, "****")
    xlsx = make.client.get(f"{make.url()}/export", params={"format": "xlsx"}, headers=clerk)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    assert MASKED_PHONE in cells
    lines = make.client.get(f"{make.url()}/export", params={"format": "jsonl"}, headers=clerk)
    assert json.loads(lines.text.splitlines()[0])["data"]["phone"] == MASKED_PHONE
    selected = make.client.get("/api/v1/apps/shop/forms/customer/selection/export.csv",
                               params={"ids": str(people["id"])}, headers=clerk)
    assert MASKED_PHONE in selected.content.decode("utf-8")
    for text in (csv_file.content.decode("utf-8"), lines.text, selected.content.decode("utf-8"), "|".join(cells)):
        _never_full(text)


@pytest.mark.parametrize("params", [
    {"filter[phone]": PHONE}, {"filter[phone][contains]": "4321"}, {"filter": f'phone = "{PHONE}"'},
    {"filter": "amount > 1000"}, {"sort": "phone"}, {"sort": "-amount"}, {"filter": 'customer.phone != ""'},
], ids=["eq", "contains", "expression", "masked-number", "sort", "sort-desc", "through-relation"])
def test_a_filter_or_sort_on_a_masked_field_is_the_unknown_field_error(make: Maker, people: dict[str, Any],
                                                                        params: dict[str, str]) -> None:
    form = "visit" if "customer." in params.get("filter", "") else "customer"
    r = make.client.get(make.url(form), params=params, headers=people["clerk"])
    assert r.status_code == 400, r.text
    def unknown(text: str) -> str:
        return text.replace("phone", "nosuch").replace("amount", "nosuch")

    missing = make.client.get(make.url(form), params={unknown(k): unknown(v) for k, v in params.items()},
                              headers=make.admin)
    assert missing.status_code == 400
    assert r.json()["error"]["code"] == missing.json()["error"]["code"]


def test_a_search_never_matches_a_masked_value_and_reports_never_group_by_one(make: Maker,
                                                                           people: dict[str, Any]) -> None:
    clerk = people["clerk"]
    assert make.client.get(make.url(), params={"q": "4321"}, headers=make.admin).json()["items"]
    assert make.client.get(make.url(), params={"q": "4321"}, headers=clerk).json()["items"] == []
    assert make.client.get(make.url(), params={"q": "老客户"}, headers=clerk).json()["items"]
    widget = {"type": "bar", "form": "customer", "dimensions": [{"field": "phone"}], "measures": [{"agg": "count"}]}
    r = make.client.post("/api/v1/apps/shop/query", json=widget, headers=clerk)
    assert r.status_code == 400 and PHONE not in r.text


def test_a_write_to_a_masked_field_is_refused_and_changes_nothing(make: Maker, people: dict[str, Any]) -> None:
    clerk, url = people["clerk"], f"{make.url()}/{people['id']}"
    r = make.client.patch(url, json={"data": {"phone": "13800000000"}}, headers=clerk)
    assert r.status_code == 403 and r.json()["error"]["details"][0]["code"] == "read_only_field"
    assert make.client.post(make.url(), json={"data": {"name": "新", "phone": "13800000000"}},
                            headers=clerk).status_code == 403
    assert make.client.post("/api/v1/apps/shop/forms/customer/selection/update",
                            json={"ids": [people["id"]], "data": {"mail": "x@y.cn"}}, headers=clerk).status_code == 403
    assert make.client.patch(url, json={"data": {"note": "改备注"}}, headers=clerk).status_code == 200
    assert make.client.get(url, headers=make.admin).json()["data"]["phone"] == PHONE


def test_a_masked_title_is_masked_wherever_the_record_is_named(make: Maker, people: dict[str, Any], app: Any) -> None:
    viewer = people["viewer"]
    visit = make.client.get(f"{make.url('visit')}/{people['visit']}", headers=viewer).json()
    assert visit["data"]["customer"] == {"id": people["id"], "title": MASKED_NAME}
    assert make.client.get(f"{make.url()}/{people['id']}", headers=viewer).json()["data"]["name"] == MASKED_NAME
    with TestClient(app) as browser:
        r = browser.post("/login", data={"username": "viewer", "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303
        pages = [browser.get(f"/apps/shop/forms/customer/records/{people['id']}"),
                 browser.get(f"/apps/shop/forms/visit/records/{people['visit']}"),
                 browser.get("/apps/shop/forms/customer"), browser.get("/apps/shop/forms/customer/kanban/level")]
        for page in pages:
            assert page.status_code == 200, page.text
            assert NAME not in page.text
        assert MASKED_NAME in pages[0].text and MASKED_NAME in pages[1].text and MASKED_NAME in pages[3].text


def test_a_clerks_pages_show_the_mask_and_no_filter_or_kanban_by_a_masked_field(make: Maker, people: dict[str, Any],
                                                                                app: Any) -> None:
    with TestClient(app) as browser:
        r = browser.post("/login", data={"username": "clerk", "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303
        page = browser.get(f"/apps/shop/forms/customer/records/{people['id']}")
        listed = browser.get("/apps/shop/forms/customer", params={"columns": "name,phone,mail,amount"})
        edit = browser.get(f"/apps/shop/forms/customer/records/{people['id']}/edit")
        for r in (page, listed, edit):
            assert r.status_code == 200, r.text
            _never_full(r.text)
        assert MASKED_PHONE in page.text and MASKED_PHONE in listed.text


def test_a_masked_field_stays_in_the_definition_but_nothing_derived_from_it(make: Maker, people: dict[str, Any]) -> None:
    definition = make.client.get("/api/v1/apps/shop", headers=people["clerk"]).json()["definition"]
    customer = next(f for f in definition["forms"] if f["key"] == "customer")
    keys = [f["key"] for f in customer["fields"]]
    assert "phone" in keys and "mail" in keys and "amount" in keys and "tail" not in keys
    assert customer["search_fields"] == ["note"]  # a masked field is not searched for this user
    viewer = make.client.get("/api/v1/apps/shop", headers=people["viewer"]).json()["definition"]
    assert next(f for f in viewer["forms"] if f["key"] == "customer")["title_field"] == "name"


def test_a_report_labels_related_records_by_their_masked_title(make: Maker, people: dict[str, Any]) -> None:
    widget = {"type": "bar", "form": "visit", "dimensions": [{"field": "customer"}], "measures": [{"agg": "count"}]}
    seen = make.client.post("/api/v1/apps/shop/query", json=widget, headers=people["viewer"])
    assert seen.status_code == 200, seen.text
    assert MASKED_NAME in seen.text and NAME not in seen.text
    full = make.client.post("/api/v1/apps/shop/query", json=widget, headers=make.admin)
    assert NAME in full.text  # an administrator sees the title itself


def test_a_report_reading_a_masked_field_through_a_relation_is_the_unknown_field_error(make: Maker,
                                                                                      people: dict[str, Any]) -> None:
    widget = {"type": "bar", "form": "visit", "dimensions": [{"field": "topic"}], "measures": [{"agg": "count"}],
              "filter": f'customer.phone = "{PHONE}"'}
    r = make.client.post("/api/v1/apps/shop/query", json=widget, headers=people["clerk"])
    assert r.status_code == 400, r.text  # a filter through the relation would tell the number, one guess at a time
    assert PHONE not in r.text and MASKED_PHONE not in r.text
    assert make.client.post("/api/v1/apps/shop/query", json=widget, headers=make.admin).status_code == 200


def test_the_crm_shows_finance_a_customers_phone_masked(make: Maker) -> None:
    template = json.loads(CRM_TEMPLATE.read_text(encoding="utf-8"))
    template["flows"] = []
    make.app_def(template)
    finance = make.user("cai.wu", admin=False)
    assert make.client.put("/api/v1/apps/crm/roles/finance/members", json={"users": ["cai.wu"]},
                           headers=make.admin).status_code == 200
    url = "/api/v1/apps/crm/forms/customer/records"
    made = make.client.post(url, json={"data": {"name": "苏州恒瑞精密机械有限公司", "phone": "13812345678"}},
                            headers=make.admin)
    assert made.status_code == 201, made.text
    seen = make.client.get(f"{url}/{made.json()['id']}", headers=finance)
    assert seen.status_code == 200 and seen.json()["data"]["phone"] == "138****5678"
    assert "13812345678" not in make.client.get(url, headers=finance).text
