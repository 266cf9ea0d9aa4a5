"""The dashboard page over HTTP: one labelled filter control per declared filter, chosen by the filtered
field's type and pre-filled from the query string (the reports API's own), and the script's data — the
drill-down columns — through the same gate as the API. Drawing and clicking are in tests/browser/."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, shop

PAGE = "/apps/shop/dashboards/board"
FILTERS = [{"field": "region"}, {"field": "since"}, {"field": "keeper"}, {"field": "team"}, {"field": "note"},
           {"field": "created_at", "label": "录入日期"}, {"field": "level", "label": "客户等级"}]
BOARD = {"key": "board", "name": "客户看板", "filters": FILTERS, "widgets": [
    {"key": "by_region", "type": "bar", "form": "customer", "dimensions": [{"field": "region"}],
     "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]},
    {"key": "prices", "type": "table", "form": "product", "dimensions": [{"field": "price"}],
     "measures": [{"agg": "count"}]}]}
REP = {"key": "rep", "name": "代表", "permissions": {"customer": {"read": "all", "fields": {"region": "hidden"}}}}


def _definition(**changes: Any) -> dict[str, Any]:
    definition = shop(reports=[BOARD], **changes)
    definition["forms"][0]["fields"] += [
        {"key": "keeper", "type": "user", "label": "负责人", "label_en": "Keeper"},
        {"key": "team", "type": "department", "label": "所属部门"}]
    return definition


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _controls(html: str) -> dict[str, str]:
    """data-filter key -> the tag of its (first) control."""
    found: dict[str, str] = {}
    for tag in re.findall(r"<(?:input|select)[^>]*data-filter=[^>]*>", html):
        found.setdefault(re.search(r'data-filter="([^"]+)"', tag).group(1), tag)
    return found


def _board(html: str) -> dict[str, Any]:
    text = re.search(r'<script type="application/json" id="board-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(text)  # type: ignore[no-any-return]


def _selected(html: str, key: str) -> list[str]:
    select = re.search(rf'<select id="filter-{key}".*?</select>', html, re.S).group(0)
    return [unescape(v) for v in re.findall(r'<option value="([^"]*)" selected>', select)]


def test_each_filter_gets_the_control_of_its_field_type_with_a_label(make: Maker, client: TestClient) -> None:
    make.app_def(_definition())
    make.client.post("/api/v1/departments", json={"key": "east", "name": "华东大区"}, headers=make.admin)
    make.user("zhang", admin=False)
    _login(client, "admin")
    html = client.get(PAGE).text
    controls = _controls(html)
    assert list(controls) == ["region", "since", "keeper", "team", "note", "created_at", "level"]
    assert 'type="date"' in controls["since"] and 'type="date"' in controls["created_at"]
    assert len(re.findall(r'data-filter="since" data-part="(?:from|to)"', html)) == 2
    assert controls["region"].startswith("<select") and controls["level"].startswith("<select")
    assert 'type="text"' in controls["note"]
    region = re.search(r'<select id="filter-region".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', region) == ["", "华东", "华南", "华北"]
    keeper = re.search(r'<select id="filter-keeper".*?</select>', html, re.S).group(0)
    assert '<option value="zhang">' in keeper and '<option value="admin">' in keeper  # the active users
    assert '<option value="east">华东大区</option>' in html  # departments by name
    for control_id in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"[^>]*data-filter', html):
        assert f'<label for="{control_id}"' in html or f'<label class="sr-only" for="{control_id}"' in html
    assert "<legend>录入日期</legend>" in html and ">客户等级</label>" in html  # the report's own labels


def test_the_query_string_prefills_the_controls(make: Maker, client: TestClient) -> None:
    make.app_def(_definition())
    _login(client, "admin")
    html = client.get(PAGE, params={"region": "华南", "since": "2026-01-01..2026-03-31", "note": "<b>VIP</b>",
                                    "created_at": "2026-02-01..", "lang": "en"}).text
    assert _selected(html, "region") == ["华南"]
    assert 'id="filter-since-from" data-filter="since" data-part="from" value="2026-01-01"' in html
    assert 'id="filter-since-to" data-filter="since" data-part="to" value="2026-03-31"' in html
    assert 'id="filter-created_at-to" data-filter="created_at" data-part="to" value=""' in html
    assert 'value="&lt;b&gt;VIP&lt;/b&gt;"' in html  # escaped, as everywhere
    board = _board(html)
    assert board["values"] == {"region": "华南", "since": "2026-01-01..2026-03-31", "note": "<b>VIP</b>",
                               "created_at": "2026-02-01.."}  # `lang` is the page's, not a filter
    assert board["url"] == "/api/v1/apps/shop/reports/board" and board["zone"] == "Asia/Shanghai"
    assert ">Keeper</label>" in html and board["words"]["as_of"] == "Data as of"


def test_a_value_no_control_can_show_is_kept_for_the_api_to_judge(make: Maker, client: TestClient) -> None:
    make.app_def(_definition())
    _login(client, "admin")
    r = client.get(PAGE, params={"region": "华东,西藏", "since": "not-a-date", "keeper": "nobody"})
    assert r.status_code == 200
    assert _selected(r.text, "region") == ["华东,西藏"] and _selected(r.text, "keeper") == ["nobody"]
    assert 'data-part="from" value=""' in r.text  # a date input cannot hold it …
    assert _board(r.text)["values"]["since"] == "not-a-date"  # … but the script still asks the API with it
    api = client.get("/api/v1/apps/shop/reports/board", params={"since": "not-a-date"})
    assert api.status_code == 400 and api.json()["error"]["field"] == "since"


def test_drill_columns_are_the_title_and_the_widget_fields_and_widgets_the_viewer_may_not_see_are_left_out(make: Maker, client: TestClient,
                                                                             app: Any) -> None:
    make.app_def(_definition(roles=[REP]))
    make.user("rep", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    _login(client, "admin")
    widgets = _board(client.get(PAGE).text)["widgets"]
    assert widgets["by_region"]["columns"] == [["name", "客户名称"], ["region", "地区"], ["amount", "成交金额"]]
    assert widgets["by_region"]["list"] == "/apps/shop/forms/customer"
    assert widgets["prices"]["columns"] == [["title", "产品名称"], ["price", "价格"]]
    with TestClient(app) as rep:
        _login(rep, "rep")
        html = rep.get(PAGE).text
        widgets = _board(html)["widgets"]
    assert "by_region" not in widgets  # grouped by 地区, hidden from them: the page leaves the widget out …
    assert "prices" not in widgets  # … as it does one over 产品, which they have no right on
    assert "region" not in _controls(html)  # a hidden field gets no filter control


def test_an_unknown_dashboard_is_a_404_page(make: Maker, client: TestClient) -> None:
    make.app_def(_definition())
    _login(client, "admin")
    r = client.get("/apps/shop/dashboards/nope")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
