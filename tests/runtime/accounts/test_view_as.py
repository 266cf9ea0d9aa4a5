"""查看为 (issue 27): an administrator's web session views as another user — the same answers that user
gets, a banner on the pages, every change refused — until stopped; start and stop are audited; only
administrators, only with a session, never by a forged cookie."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker
from tests.permission_setup import DEALS, deal, setup_sales

URL = "/api/v1/view-as"


def session(app: Any, username: str, password: str = "pass-word-1") -> tuple[TestClient, dict[str, str]]:
    browser = TestClient(app)
    r = browser.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', browser.get("/").text)
    assert found
    return browser, {"X-CSRF-Token": found.group(1)}


def test_an_administrator_sees_what_the_user_sees_and_changes_nothing(make: Maker, app: Any) -> None:
    people = setup_sales(make)
    deal(make, people["rep1"], "张三的单")
    deal(make, people["rep2"], "李四的单")
    make.user("boss", password="pass-word-1")
    browser, csrf = session(app, "boss")
    assert len(browser.get(DEALS).json()["items"]) == 2
    r = browser.post(URL, json={"user": "rep1"}, headers=csrf)
    assert r.status_code == 200, r.text
    assert browser.get(URL).json() == {"user": "rep1"}
    seen = browser.get(DEALS).json()["items"]
    assert [x["data"]["name"] for x in seen] == ["张三的单"] and "cost" not in seen[0]["data"]
    page = browser.get("/apps/sales/forms/deal").text
    assert 'id="view-as-banner"' in page and "rep1" in page and "李四的单" not in page
    refused = browser.post(DEALS, json={"data": {"name": "偷偷新建"}}, headers=csrf)
    assert refused.status_code == 403 and refused.json()["error"]["reason"] == "view_as"
    assert browser.patch(f"{DEALS}/{seen[0]['id']}", json={"data": {"note": "x"}}, headers=csrf).status_code == 403
    assert browser.delete(URL, headers=csrf).status_code == 204
    assert len(browser.get(DEALS).json()["items"]) == 2  # the administrator's own view again
    assert 'id="view-as-banner"' not in browser.get("/apps/sales/forms/deal").text
    audit = make.client.get("/api/v1/audit", params={"action": "view_as.start"}, headers=make.admin).json()["items"]
    assert audit[0]["user"] == "boss" and audit[0]["detail"] == {"user": "rep1"}
    stops = make.client.get("/api/v1/audit", params={"action": "view_as.stop"}, headers=make.admin).json()["items"]
    assert stops[0]["detail"] == {"user": "rep1"}


def test_only_an_administrators_session_views_as_someone(make: Maker, app: Any) -> None:
    setup_sales(make)
    make.user("boss", password="pass-word-1")
    rep, rep_csrf = session(app, "rep1")
    assert rep.post(URL, json={"user": "mgr"}, headers=rep_csrf).status_code == 403
    rep.cookies.set("tangram_view_as", "mgr|forged")
    assert rep.get(URL).json() == {"user": None}
    assert rep.get(DEALS).status_code == 200 and rep.post(DEALS, json={"data": {"name": "自己的"}},
                                                           headers=rep_csrf).status_code == 201
    assert make.client.post(URL, json={"user": "rep1"}, headers=make.admin).status_code == 400  # a bearer token
    boss, csrf = session(app, "boss")
    assert boss.post(URL, json={"user": "nosuch"}, headers=csrf).status_code == 404
    r = boss.post(URL, json={"user": "boss"}, headers=csrf)
    assert r.status_code == 400 and r.json()["error"]["field"] == "user"
    boss.patch("/api/v1/users/rep3", json={"active": False}, headers=csrf)
    assert boss.post(URL, json={"user": "rep3"}, headers=csrf).status_code == 400
    # a cookie signed for another session does nothing here
    assert boss.post(URL, json={"user": "rep1"}, headers=csrf).status_code == 200
    stolen = boss.cookies.get("tangram_view_as")
    other, _ = session(app, "boss")
    other.cookies.set("tangram_view_as", stolen)
    assert other.get(URL).json() == {"user": None}
