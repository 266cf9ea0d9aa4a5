"""角色与权限 and 离职交接 pages: the matrix shows the role's rights with an error slot at each cell's JSON
path, members only once the role is published; a user who does not manage the app gets no page, and the
handover page is for administrators."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker
from tests.permission_setup import sales_app, setup_sales

PAGE = "/apps/sales/builder/roles"


def logged_in(app: Any, username: str, password: str) -> TestClient:
    browser = TestClient(app)
    r = browser.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return browser


def test_the_matrix_shows_the_roles_rights_and_where_errors_go(make: Maker, app: Any) -> None:
    setup_sales(make)
    make.user("boss", password="pass-word-1")
    with logged_in(app, "boss", "pass-word-1") as browser:
        assert 'href="/apps/sales/builder/roles"' in browser.get("/apps/sales").text
        page = browser.get(f"{PAGE}?role=rep").text
        rows = dict(re.findall(r'<tr data-form="(\w+|\*)"[^>]*>(.*?)</tr>', page, re.S))
        assert set(rows) == {"deal", "*"}
        assert re.search(r'data-op="read".*?<option value="own" selected>', rows["deal"], re.S)
        assert re.search(r'data-op="create"[^>]*checked', rows["deal"])
        assert 'data-error-for="roles[0].permissions.deal.read"' in page
        assert 'data-error-for="roles[0].permissions.deal.fields.cost"' in page
        assert re.search(r'data-field="cost".*?<option value="hidden" selected>', page, re.S)
        assert 'value="status != &#34;已签约&#34;"' in page or "status != &#34;已签约&#34;" in page
        assert 'id="save-members"' in page and 'id="handover-link"' in page
        # a role only in the draft gets its members after publishing
        browser.put("/api/v1/apps/sales/draft/roles/fresh", json={"name": "新角色"},
                    headers={"X-CSRF-Token": _csrf(page)})
        fresh = browser.get(f"{PAGE}?role=fresh").text
        assert 'id="members-unpublished"' in fresh and "未发布" in fresh
        handover = browser.get("/admin/handover?username=rep1")
        assert handover.status_code == 200 and '<option value="rep1" selected>' in handover.text


def _csrf(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert found
    return found.group(1)


def test_who_does_not_manage_the_app_gets_no_page(make: Maker, app: Any) -> None:
    setup_sales(make)
    with logged_in(app, "mgr", "pass-word-1") as browser:
        assert browser.get(PAGE).status_code in (403, 404)
        assert browser.get("/admin/handover").status_code == 403


def test_every_field_gets_an_access_choice_sub_tables_too(make: Maker, app: Any) -> None:
    crm = json.loads((Path(__file__).resolve().parents[2] / "apps" / "crm_template.json").read_text(encoding="utf-8"))
    make.app_def(crm)
    make.user("boss", password="pass-word-1")
    with logged_in(app, "boss", "pass-word-1") as browser:
        page = browser.get("/apps/crm/builder/roles?role=sales_rep").text
    quote = re.search(r'<details class="form-detail" data-form="quote">(.*?)</details>', page, re.S)
    assert quote and 'data-field="lines"' in quote.group(1)


def test_an_app_manager_finds_the_roles_page_on_the_app_page_and_a_member_does_not(make: Maker, app: Any) -> None:
    definition = sales_app()
    definition["roles"].append({"key": "designer", "name": "应用管理员", "permissions": {"*": {"manage": True}}})
    make.app_def(definition)
    make.user("designer1", admin=False, password="pass-word-1")
    make.user("member1", admin=False, password="pass-word-1")
    for user, role in (("designer1", "designer"), ("member1", "rep")):
        r = make.client.put(f"/api/v1/apps/sales/roles/{role}/members", json={"users": [user]}, headers=make.admin)
        assert r.status_code == 200, r.text
    with logged_in(app, "designer1", "pass-word-1") as browser:
        page = browser.get("/apps/sales").text
        assert 'id="roles-link"' in page and 'id="new-chart-link"' in page and 'id="flows-link"' in page
        assert 'href="/apps/sales/builder/forms/deal"' in page
        for url in (PAGE, "/apps/sales/builder/flows", "/apps/sales/builder/forms/deal"):
            assert browser.get(url).status_code == 200, url
    with logged_in(app, "member1", "pass-word-1") as browser:
        page = browser.get("/apps/sales").text
        assert 'id="roles-link"' not in page and 'id="flows-link"' not in page and "/builder/forms/" not in page
