"""The 查重 page over HTTP (every backend): 开始查重 before the first scan, the scan's progress while it is
queued, then the stored groups with 生成于 — and a restricted reader sees them through their rights: none of
the records they may not read, and nothing of a field hidden from them (its rule, its values)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from runtime.jobs.worker import run_due
from tests.duplicate_setup import BLIND, OWN, shop_with_rules
from tests.factories import Maker

PAGE = "/apps/shop/forms/customer/duplicates"
SCAN = "/api/v1/apps/shop/forms/customer/duplicates/scan"


@pytest.fixture
def crm(make: Maker) -> None:
    definition = shop_with_rules([OWN, BLIND])
    make.app_def(definition)
    items = [
        {"name": "苏州恒瑞精密机械有限公司"},
        {"name": "恒瑞精密机械(苏州)有限公司"},
        {"name": "杭州云帆科技有限公司", "credit_code": "91330100MA2XYZ"},
        {"name": "云帆数据服务有限公司", "credit_code": "91330100ma2xyz"},
    ]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text


def _page(make: Maker, username: str, admin: bool = False) -> str:
    make.user(username, admin=admin)
    with TestClient(make.app) as browser:
        r = browser.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
        assert r.status_code == 303
        page = browser.get(PAGE)
    assert page.status_code == 200, page.text
    return page.text


def _groups(html: str) -> list[str]:
    return re.findall(r'<section class="dup-group card".*?</section>', html, re.S)


def test_the_page_offers_the_first_scan_then_shows_its_progress_then_its_groups(make: Maker, crm: None) -> None:
    html = _page(make, "boss", admin=True)
    assert "开始查重" in html and "尚未查重" in html and _groups(html) == []
    assert re.search(r'<div id="dup-running" hidden>', html)
    assert make.client.post(SCAN, headers=make.admin).status_code == 202
    html = _page(make, "boss", admin=True)
    assert 'data-status="queued"' in html and not re.search(r'<div id="dup-running" hidden>', html)
    run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC))
    html = _page(make, "boss", admin=True)
    assert "生成于" in html and "重新查重" in html and len(_groups(html)) == 2


def test_a_restricted_reader_sees_the_stored_groups_through_their_rights(make: Maker, crm: None) -> None:
    for user, role in (("clerk", "clerk"), ("rep", "rep")):
        make.user(user, admin=False)
        make.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": [user]}, headers=make.admin)
    assert make.client.post(SCAN, headers=make.admin).status_code == 202
    run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC))
    assert len(_groups(_page(make, "boss", admin=True))) == 2

    [group] = _groups(_page(make, "clerk"))  # the credit code is hidden from them: it groups nothing
    assert "苏州恒瑞精密机械有限公司" in group and "合并" not in group
    html = _page(make, "clerk")
    assert "云帆" not in html and "信用代码相同" not in html and "91330100" not in html

    html = _page(make, "rep")  # reads only their own customers: none of these
    assert _groups(html) == [] and "恒瑞" not in html and "云帆" not in html and "生成于" in html
