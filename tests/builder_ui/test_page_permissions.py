"""Pages show what the API would: a rep's list, record page and kanban hold their own records only and
never a hidden field; a record outside their scope is a 404 page; the home page lists only their apps."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, shop

REP = {"key": "rep", "name": "代表", "permissions": {"customer": {
    "create": True, "read": "own", "update": "own", "fields": {"amount": "hidden"}}}}


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_a_rep_sees_only_their_records_and_never_a_hidden_field(make: Maker, app: Any) -> None:
    make.app_def(shop(roles=[REP]))
    rep = make.user("rep", admin=False)
    make.user("other", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep", "other"]}, headers=make.admin)
    mine = make.client.post(make.url(), json={"data": {"name": "我的客户"}}, headers=rep).json()
    theirs = make.client.post(make.url(), json={"data": {"name": "别人的客户"}},
                              headers=make.user("other", admin=False)).json()
    make.client.patch(f"{make.url()}/{mine['id']}", json={"data": {"amount": "999"}}, headers=make.admin)
    with TestClient(app) as browser:
        _login(browser, "rep")
        listed = browser.get("/apps/shop/forms/customer", params={"columns": "name,amount"}).text
        assert "我的客户" in listed and "别人的客户" not in listed and "成交金额" not in listed
        page = browser.get(f"/apps/shop/forms/customer/records/{mine['id']}")
        assert page.status_code == 200 and "成交金额" not in page.text and "999" not in page.text
        assert browser.get(f"/apps/shop/forms/customer/records/{theirs['id']}").status_code == 404
        board = browser.get("/apps/shop/forms/customer/kanban/level").text
        assert "我的客户" in board and "别人的客户" not in board
        assert browser.get("/apps/shop/forms/product").status_code == 404  # no right on 产品 at all


def test_the_home_page_lists_only_apps_the_user_holds_a_role_in(make: Maker, app: Any) -> None:
    make.app_def(shop())
    make.user("outsider", admin=False)
    with TestClient(app) as browser:
        _login(browser, "outsider")
        home = browser.get("/").text
        assert "小店" not in home
        assert browser.get("/apps/shop").status_code == 404


def test_dashboards_are_listed_only_for_apps_the_user_holds_a_role_in(make: Maker, app: Any) -> None:
    board = {"key": "board", "name": "客户看板", "widgets": [
        {"key": "by_level", "type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
         "measures": [{"agg": "count"}]}]}
    make.app_def(shop(roles=[REP], reports=[board]))
    make.user("rep", admin=False)
    make.user("outsider", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    with TestClient(app) as browser:
        _login(browser, "rep")
        assert "/apps/shop/dashboards/board" in browser.get("/dashboards").text
        assert browser.get("/apps/shop/dashboards/board").status_code == 200
    with TestClient(app) as browser:
        _login(browser, "outsider")
        assert "客户看板" not in browser.get("/dashboards").text
        assert browser.get("/apps/shop/dashboards/board").status_code == 404


def test_the_export_menu_is_drawn_only_for_who_may_export(make: Maker, app: Any) -> None:
    exporter = {**REP, "key": "exporter", "permissions": {"customer": {**REP["permissions"]["customer"], "export": True}}}
    make.app_def(shop(roles=[REP, exporter]))
    make.user("rep", admin=False)
    make.user("clerk", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    make.client.put("/api/v1/apps/shop/roles/exporter/members", json={"users": ["clerk"]}, headers=make.admin)
    with TestClient(app) as browser:
        _login(browser, "rep")
        assert 'id="export-menu"' not in browser.get("/apps/shop/forms/customer").text
    with TestClient(app) as browser:
        _login(browser, "clerk")
        assert 'id="export-menu"' in browser.get("/apps/shop/forms/customer").text
