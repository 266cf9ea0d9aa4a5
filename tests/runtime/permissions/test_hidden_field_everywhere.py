"""A field hidden from a role (issue 27: 年营业额 for a regional role of the CRM) is nowhere for its members:
not in the list, the record, the export file, the dashboard's data, its exports and drill-downs — and the
dashboard page leaves off a widget over it rather than showing a box titled with it."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from runtime.cli import CRM_TEMPLATE
from tests.factories import Maker

CUSTOMERS = "/api/v1/apps/crm/forms/customer/records"
REGIONAL = {"key": "regional", "name": "区域客户经理", "permissions": {"customer": {
    "read": "department", "export": True, "fields": {"annual_revenue": "hidden"}}}}
BOARD = {"key": "revenue_board", "name": "营收看板", "widgets": [
    {"key": "revenue_total", "type": "kpi", "form": "customer", "name": "年营业额合计",
     "measures": [{"agg": "sum", "field": "annual_revenue", "label": "年营业额合计"}]},
    {"key": "big_ones", "type": "kpi", "form": "customer", "name": "大客户数", "filter": "annual_revenue > 1000000",
     "measures": [{"agg": "count", "label": "大客户"}]},
    {"key": "by_level", "type": "bar", "form": "customer", "name": "各等级客户数", "dimensions": [{"field": "level"}],
     "measures": [{"agg": "count", "label": "客户数"}]}]}


def _arrange(make: Maker) -> dict[str, str]:
    c, admin = make.client, make.admin
    crm = json.loads(CRM_TEMPLATE.read_text(encoding="utf-8"))
    crm["roles"].append(REGIONAL)
    crm["reports"].append(BOARD)
    assert c.post("/api/v1/apps", json=crm, headers=admin).status_code == 201
    assert c.post("/api/v1/departments", json={"key": "south", "name": "华南"}, headers=admin).status_code == 201
    r = c.post("/api/v1/users", json={"username": "sun.li", "password": "pass-word-1", "departments": ["south"]},
               headers=admin)
    assert r.status_code == 201, r.text
    assert c.put("/api/v1/apps/crm/roles/regional/members", json={"users": ["sun.li"]}, headers=admin).status_code == 200
    for name, revenue in (("珠江电子", "6400000.00"), ("榕城茶业", "310000.00")):
        assert c.post(CUSTOMERS, json={"data": {"name": name, "annual_revenue": revenue}}, headers=admin).status_code == 201
    assert c.post("/api/v1/users/admin/handover", json={"to": "sun.li"}, headers=admin).status_code == 200
    token = c.post("/api/v1/auth/login", json={"username": "sun.li", "password": "pass-word-1"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _no_revenue(text: str) -> None:
    assert "annual_revenue" not in text and "年营业额" not in text and "6400000" not in text and "6,400,000" not in text


def test_a_hidden_field_is_in_no_list_record_export_or_dashboard(make: Maker, app: Any) -> None:
    me = _arrange(make)
    c = make.client
    listed = c.get(CUSTOMERS, headers=me)
    assert {x["data"]["name"] for x in listed.json()["items"]} == {"珠江电子", "榕城茶业"}
    _no_revenue(listed.text)
    one = listed.json()["items"][0]["id"]
    _no_revenue(c.get(f"{CUSTOMERS}/{one}", headers=me).text)
    assert c.get(CUSTOMERS, params={"sort": "-annual_revenue"}, headers=me).status_code == 400
    job = c.post(f"{CUSTOMERS}/exports", json={"format": "xlsx"}, headers=me).json()
    assert job["status"] == "done", job
    book = openpyxl.load_workbook(io.BytesIO(c.get(job["download"], headers=me).content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert "客户名称" in rows[0] and "年营业额" not in rows[0]
    assert not any(v in (6400000, "6400000.00", "6,400,000.00") for row in rows for v in row)
    board = c.get("/api/v1/apps/crm/reports/revenue_board", headers=me).json()["widgets"]
    assert {w["key"]: "error" in w for w in board} == {"revenue_total": True, "big_ones": True, "by_level": False}
    _no_revenue(json.dumps(board, ensure_ascii=False))
    for widget in ("revenue_total", "big_ones"):
        assert c.get(f"/api/v1/apps/crm/reports/revenue_board/widgets/{widget}/export", headers=me).status_code == 400
        assert c.get(f"/api/v1/apps/crm/reports/revenue_board/widgets/{widget}/drill", headers=me).status_code == 400
    # the page: the widgets over 年营业额 are left off, the one by level is there
    browser = TestClient(app)
    assert browser.post("/login", data={"username": "sun.li", "password": "pass-word-1"},
                        follow_redirects=False).status_code == 303
    page = browser.get("/apps/crm/dashboards/revenue_board").text
    data = json.loads(re.search(r'<script type="application/json" id="board-data">(.*?)</script>', page, re.S)
                      .group(1))  # type: ignore[union-attr]
    assert sorted(data["widgets"]) == ["by_level"]
    _no_revenue(page)
    assert "大客户数" not in page
