"""The web UI's pages over HTTP (every backend): what they show, and that bad input is a clear
page, never a server error. Browser behaviour (scripts, drag and drop) is in tests/browser/."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, repair, shop

LIST = "/apps/shop/forms/customer"
CRM = Path(__file__).resolve().parents[2] / "apps" / "crm_template.json"


def _session(make: Maker, client: TestClient, username: str = "admin", admin: bool = True) -> None:
    make.user(username, admin=admin)
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-id="(\d+)"', html)


def _customers(make: Maker, n: int) -> list[dict[str, Any]]:
    return [make.record("customer", {"name": f"客户{i:03d}", "region": ["华东", "华南", "华北"][i % 3],
                                     "level": "ABC"[i % 3], "amount": str(1000 * i)}) for i in range(n)]


def test_home_lists_apps_and_keeps_places_for_inbox_and_dashboards(make: Maker, client: TestClient) -> None:
    make.app_def()
    _session(make, client)
    html = client.get("/").text
    assert "小店" in html and 'href="/apps/shop/forms/customer"' in html
    assert 'data-slot="inbox"' in html and 'data-slot="dashboards"' in html
    assert client.get("/inbox").status_code == 200


def test_list_page_shows_newest_first_and_pages_by_cursor(make: Maker, client: TestClient) -> None:
    make.app_def()
    made = _customers(make, 60)
    _session(make, client)
    first = client.get(LIST)
    assert first.status_code == 200
    ids = _rows(first.text)
    assert ids == [str(r["id"]) for r in reversed(made)][:50]
    next_url = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = client.get(LIST + next_url)
    assert _rows(second.text) == [str(r["id"]) for r in reversed(made)][50:]
    assert 'rel="next"' not in second.text


def test_list_page_filters_sorts_and_searches_like_the_api(make: Maker, client: TestClient) -> None:
    make.app_def()
    _customers(make, 9)
    _session(make, client)
    html = client.get(LIST, params={"filter[region]": "华东", "sort": "-amount"}).text
    names = re.findall(r">(客户\d{3})<", html)
    assert names == ["客户006", "客户003", "客户000"]
    html = client.get(LIST, params={"filter": 'amount >= 7000 AND level != "A"'}).text
    assert sorted(re.findall(r">(客户\d{3})<", html)) == ["客户007", "客户008"]
    html = client.get(LIST, params={"q": "户00"}).text
    assert len(_rows(html)) == 9
    assert "sort=-amount" in client.get(LIST, params={"sort": "amount"}).text  # the header toggles


def test_list_page_with_a_bad_filter_says_what_is_wrong(make: Maker, client: TestClient) -> None:
    make.app_def()
    _session(make, client)
    for params in ({"filter": "amount >"}, {"filter[nope]": "1"}, {"cursor": "garbage"}, {"sort": "nope"}):
        r = client.get(LIST, params=params)
        assert r.status_code == 400, params
        assert 'role="alert"' in r.text


def test_list_columns_follow_the_users_layout(make: Maker, client: TestClient) -> None:
    make.app_def()
    make.record("customer", {"name": "甲", "note": "备注内容"})
    _session(make, client)
    client.put("/api/v1/apps/shop/forms/customer/layout", json={"columns": ["note", "name"]}, headers=make.admin)
    body = client.get(LIST).text
    head = body.split("<thead>")[1].split("</thead>")[0]
    assert head.index("备注") < head.index("客户名称") and "地区" not in head


def test_saved_views_are_links_to_their_list(make: Maker, client: TestClient) -> None:
    make.app_def()
    _customers(make, 6)
    _session(make, client)
    r = client.post("/api/v1/apps/shop/forms/customer/views", json={"name": "A类客户", "spec": {
        "filters": [{"field": "level", "op": "eq", "value": "A"}]}}, headers=make.admin)
    view = r.json()
    html = client.get(LIST).text
    href = re.search(rf'href="(\?[^"]*)"[^>]*data-view-id="{view["id"]}"', html).group(1).replace("&amp;", "&")
    assert len(_rows(client.get(LIST + href).text)) == 2


def test_record_page_shows_fields_related_records_and_timeline(make: Maker, client: TestClient) -> None:
    make.app_def(repair())
    machine = make.record("equipment", {"name": "数控车床", "workshop": "一车间"}, app="repair")
    make.record("ticket", {"summary": "主轴异响", "equipment": machine["id"]}, app="repair")
    client.patch(f"/api/v1/apps/repair/forms/equipment/records/{machine['id']}", json={"data": {"price": "1200"}},
                 headers=make.admin)
    _session(make, client)
    html = client.get(f"/apps/repair/forms/equipment/records/{machine['id']}").text
    assert "数控车床" in html and "一车间" in html
    assert "报修单" in html and "主轴异响" in html  # the ticket that points here
    timeline = html.split('class="timeline"')[1]
    assert "修改" in timeline and "价格" in timeline and "创建" in timeline


def test_record_form_has_a_labelled_input_for_every_field(make: Maker, client: TestClient) -> None:
    make.app_def(repair())
    _session(make, client)
    html = client.get("/apps/repair/forms/ticket/records/new").text
    for key in ("summary", "urgency", "reported_at", "due"):
        assert f'for="f-{key}"' in html and f'id="f-{key}"' in html
    assert 'type="datetime-local"' in html and 'type="date"' in html and 'type="file"' in html
    assert 'class="subtable"' in html and 'class="relation"' in html


def test_edit_page_carries_the_version_for_if_match(make: Maker, client: TestClient) -> None:
    make.app_def()
    record = make.record("customer", {"name": "甲"})
    _session(make, client)
    html = client.get(f"{LIST}/records/{record['id']}/edit").text
    assert '"version": 1' in html and 'value="甲"' in html


def test_kanban_has_a_column_per_option(make: Maker, client: TestClient) -> None:
    make.app_def()
    make.record("customer", {"name": "甲", "level": "A"})
    _session(make, client)
    html = client.get(f"{LIST}/kanban/level").text
    assert re.findall(r'class="cards" data-value="([^"]*)"', html) == ["A", "B", "C"]
    assert client.get(f"{LIST}/kanban/name").status_code == 400


def test_builder_page_needs_the_manage_right(make: Maker, client: TestClient) -> None:
    make.app_def(shop(roles=[{"key": "rep", "name": "代表", "permissions": {"customer": {"read": "all"}}}]))
    make.user("rep", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    _session(make, client, "rep", admin=False)
    r = client.get("/apps/shop/builder/forms/customer")
    assert r.status_code == 403 and "应用定义" in r.text


def test_builder_page_and_preview_show_the_draft(make: Maker, client: TestClient) -> None:
    make.app_def()
    client.post("/api/v1/apps/shop/forms/customer/fields", json={"key": "fax", "type": "phone", "label": "传真"},
                headers=make.admin)
    _session(make, client)
    assert '"fax"' in client.get("/apps/shop/builder/forms/customer").text
    preview = client.get("/apps/shop/builder/forms/customer/preview").text
    assert 'id="f-fax"' in preview and "disabled" in preview
    assert 'id="f-fax"' not in client.get(f"{LIST}/records/new").text  # not published yet


def test_builder_page_gives_its_script_every_forms_fields_with_their_expression_types(
        make: Maker, client: TestClient) -> None:
    make.app_def()
    _session(make, client)
    html = client.get("/apps/shop/builder/forms/product").text
    data = json.loads(re.search(r'id="builder-data">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    customer = next(f for f in data["forms"] if f["key"] == "customer")
    assert {f["key"]: f["result"] for f in customer["fields"]}["amount"] == "number"
    assert {f["key"]: f["result"] for f in customer["fields"]}["since"] == "date"
    assert {"lookup", "rollup"} <= {p["type"] for p in data["palette"]}
    assert "number" in data["results"]["lookup"] and data["results"]["rollup"] == ["number", "date", "datetime"]
    # a sub-table column cannot be another sub-table (the engine refuses it): the type list leaves it out
    columns = html[html.index('id="column-template"'):]
    assert 'value="select"' in columns and 'value="sub_table"' not in columns


def test_english_is_chosen_by_query_and_remembered(make: Maker, client: TestClient) -> None:
    make.app_def()
    _session(make, client)
    r = client.get("/?lang=en")
    assert "Log out" in r.text and "tangram_lang=en" in r.headers["set-cookie"]
    assert "Log out" in client.get("/").text
    assert "退出" in client.get("/?lang=zh").text


def test_unknown_things_are_pages_not_json_or_500(make: Maker, client: TestClient) -> None:
    make.app_def()
    _session(make, client)
    for url in ("/apps/nope", f"{LIST}/records/999", "/apps/shop/forms/nope", f"{LIST}/records/999/edit"):
        r = client.get(url)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), url
    assert client.get("/api/v1/apps/nope", headers=make.admin).json()["error"]["code"] == "not_found"


def test_page_data_cannot_break_out_of_its_script_tag(make: Maker, client: TestClient) -> None:
    make.app_def()
    make.record("customer", {"name": "</script><script>alert(1)</script>"})
    _session(make, client)
    html = client.get(LIST).text
    assert "<script>alert(1)" not in html


def test_new_record_from_a_related_list_starts_with_the_relation_filled(make: Maker, client: TestClient) -> None:
    make.app_def(repair())
    machine = make.record("equipment", {"name": "数控车床"}, app="repair")
    _session(make, client)
    page = client.get(f"/apps/repair/forms/equipment/records/{machine['id']}").text
    assert f"/apps/repair/forms/ticket/records/new?equipment={machine['id']}" in page
    form = client.get(f"/apps/repair/forms/ticket/records/new?equipment={machine['id']}&summary=主轴异响").text
    assert f'data-id="{machine["id"]}">数控车床' in form and 'value="主轴异响"' in form


def test_edit_page_disables_fields_editable_when_forbids(make: Maker, client: TestClient) -> None:
    app = repair()
    app["forms"][0]["fields"][3]["editable_when"] = 'workshop != "二车间"'  # price
    make.app_def(app)
    locked = make.record("equipment", {"name": "冲床", "workshop": "二车间", "price": "10"}, app="repair")
    free = make.record("equipment", {"name": "钻床", "workshop": "一车间"}, app="repair")
    _session(make, client)
    html = client.get(f"/apps/repair/forms/equipment/records/{locked['id']}/edit").text
    assert 'disabled aria-describedby="f-price-locked"' in html and "当前不可修改" in html
    assert "f-price-locked" not in client.get(f"/apps/repair/forms/equipment/records/{free['id']}/edit").text


def test_english_pages_use_the_definitions_english_names(make: Maker, client: TestClient) -> None:
    make.app_def(json.loads(CRM.read_text(encoding="utf-8")))
    _session(make, client)
    english = client.get("/apps/crm/forms/customer?lang=en").text
    head = english.split("<thead>")[1].split("</thead>")[0]
    assert "<h1>Customer</h1>" in english and "Name" in head and "客户名称" not in head
    assert "客户名称" in client.get("/apps/crm/forms/customer?lang=zh").text
    assert re.search(r'for="f-name"[^>]*>Name<', client.get("/apps/crm/forms/customer/records/new?lang=en").text)


def _shown_total(html: str) -> tuple[str, str]:
    found = re.search(r'<span class="total" data-exact="(\w+)">\s*(.*?)\s*(?:<a |</span>)', html, re.S)
    assert found, html
    return found.group(1), found.group(2)


def test_list_page_shows_its_total_an_estimate_marked_and_the_exact_count_on_request(
        make: Maker, client: TestClient, monkeypatch: Any) -> None:
    """Up to totals.EXACT_UP_TO records the total is exact (共 N 条); beyond, 约 N 条 and a link to count
    them all (精确计数, `count=exact`)."""
    from runtime.records import totals
    make.app_def()
    _customers(make, 9)
    _session(make, client)
    html = client.get(LIST, params={"filter[region]": "华东"}).text
    assert _shown_total(html) == ("true", "共 3 条") and "精确计数" not in html
    monkeypatch.setattr(totals, "EXACT_UP_TO", 2)
    html = client.get(LIST, params={"filter[region]": "华东"}).text
    assert _shown_total(html) == ("false", "约 3 条") and "精确计数" in html
    exact = re.search(r'<a href="([^"]+)" title="[^"]+">精确计数</a>', html)
    assert exact and "count=exact" in exact.group(1)
    html = client.get(LIST + exact.group(1).replace("&amp;", "&")).text
    assert _shown_total(html) == ("true", "共 3 条")
    assert _shown_total(client.get(LIST, params={"lang": "en"}).text) == ("false", "about 9 records")


def test_a_searched_list_leaves_its_total_to_the_page_which_asks_the_api(make: Maker, client: TestClient) -> None:
    """A search's total counts every candidate: the page is drawn without it, and names the API list that
    answers it (the same search and conditions, without the view and columns); 精确计数 still counts in the page."""
    make.app_def()
    _customers(make, 7)
    _session(make, client)
    html = client.get(LIST, params={"q": "客户00", "filter[region]": "华东", "columns": "name", "view": ""}).text
    assert '<span class="total" data-exact' not in html and "正在计数…" in html
    found = re.search(r'data-count-url="([^"]+)"', html)
    assert found
    url = found.group(1).replace("&amp;", "&")
    assert "columns" not in url and "view" not in url
    answer = client.get(url, headers=make.admin).json()
    assert (answer["total"], answer["total_exact"]) == (3, True)  # 客户000, 003, 006 in 华东
    exact = client.get(LIST, params={"q": "客户00", "filter[region]": "华东", "count": "exact"}).text
    assert _shown_total(exact) == ("true", "共 3 条") and "data-count-url" not in exact
    assert "data-count-url" not in client.get(LIST, params={"filter[region]": "华东"}).text  # counted in the page
