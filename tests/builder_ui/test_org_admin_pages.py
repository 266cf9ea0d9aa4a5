"""管理 → 组织架构 over HTTP: the department tree, the user list and a user's page for administrators only,
and the forced password change that every page leads to after a reset."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Maker
from tests.permission_setup import setup_sales


def _session(make: Maker, client: TestClient, username: str, password: str = "password-123") -> None:
    r = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert r.status_code == 303


def test_the_tree_shows_children_under_their_parent_and_users_page_by_cursor(make: Maker, client: TestClient) -> None:
    admin = make.admin
    for key, name, parent in (
        ("hq", "总部", None),
        ("sales", "销售部", "hq"),
        ("east", "华东区", "sales"),
        ("hr", "人事部", "hq"),
    ):
        assert (
            client.post(
                "/api/v1/departments", json={"key": key, "name": name, "parent": parent}, headers=admin
            ).status_code
            == 201
        )
    for i in range(55):
        make.user(f"user{i:02d}", admin=False)
    _session(make, client, "admin")
    html = client.get("/admin/org").text
    tree = re.findall(r'<li class="dept[^"]*"[^>]*? style="--depth: (\d)" data-key="(\w+)"', html)
    assert tree == [("0", "hq"), ("1", "hr"), ("1", "sales"), ("2", "east")]  # 人事部 before 销售部 by name
    first = re.findall(r'<tr data-username="([\w.]+)"', html)
    assert len(first) == 50 and first[0] == "admin"
    nxt = re.search(r'href="(/admin/org\?after=[^"]+)"', html)
    assert nxt is not None
    second = re.findall(r'<tr data-username="([\w.]+)"', client.get(nxt.group(1).replace("&amp;", "&")).text)
    assert second == [f"user{i:02d}" for i in range(49, 55)]
    found = re.findall(r'<tr data-username="([\w.]+)"', client.get("/admin/org", params={"q": "user07"}).text)
    assert found == ["user07"]
    assert 'href="/admin/org" data-slot="admin"' in html


def test_only_administrators_open_the_console(make: Maker, client: TestClient) -> None:
    make.user("rep", admin=False)
    _session(make, client, "rep")
    assert 'data-slot="admin"' not in client.get("/").text
    assert client.get("/admin/org").status_code == 403
    assert client.get("/admin/users/rep").status_code == 403


def test_a_users_page_shows_roles_logins_and_sessions(make: Maker, client: TestClient) -> None:
    make.user("wang", admin=False)
    client.post("/api/v1/auth/login", json={"username": "wang", "password": "wrong-pass-1"})
    make.app_def()
    _session(make, client, "admin")
    html = client.get("/admin/users/wang").text
    assert 'id="user-logins"' in html and "login-login-failed" in html and 'login-login"' in html
    assert 'href="/admin/handover?username=wang"' in html
    assert client.get("/admin/users/nosuch").status_code == 404


def test_after_a_reset_every_page_leads_to_the_password_change(make: Maker, client: TestClient) -> None:
    make.user("wang", admin=False)
    temporary = client.post("/api/v1/users/wang/password", json={}, headers=make.admin).json()["password"]
    _session(make, client, "wang", temporary)
    r = client.get("/inbox", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account/password?next=%2Finbox"
    page = client.get("/account/password?next=/inbox")
    assert page.status_code == 200 and 'id="forced-note"' in page.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf is not None
    done = client.post(
        "/api/v1/me/password",
        json={"current": temporary, "new": "my-own-pass-7"},
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert done.status_code == 200, done.text
    assert client.get("/inbox", follow_redirects=False).status_code == 200


def test_my_account_lists_my_tokens_and_sessions_and_admins_see_everyones(make: Maker, client: TestClient) -> None:
    make.app_def()
    li = make.user("li")
    assert client.post("/api/v1/tokens", json={"name": "对账脚本", "apps": ["shop"]}, headers=li).status_code == 201
    make.user("rep", admin=False)
    _session(make, client, "rep")
    mine = client.get("/account").text
    assert 'id="my-tokens"' in mine and "对账脚本" not in mine and 'id="my-sessions-end"' in mine
    assert 'value="shop"' not in mine  # no role in the shop app: it cannot be chosen for a token
    assert client.get("/admin/tokens").status_code == 403
    _session(make, client, "admin")
    everyone = client.get("/admin/tokens").text
    assert "对账脚本" in everyone and 'href="/admin/users/li"' in everyone
    assert 'value="shop"' in client.get("/account").text


def test_the_audit_viewer_filters_shows_what_changed_and_pages(make: Maker, client: TestClient) -> None:
    make.app_def()
    made = make.record("customer", {"name": "华为", "region": "华南"})
    r = client.patch(
        f"/api/v1/apps/shop/forms/customer/records/{made['id']}",
        json={"data": {"region": "华东"}},
        headers={**make.admin, "If-Match": str(made["version"])},
    )
    assert r.status_code == 200, r.text
    make.user("wang", admin=False)
    client.post("/api/v1/auth/login", json={"username": "wang", "password": "wrong-pass-1"})
    _session(make, client, "admin")
    html = client.get("/admin/audit", params={"app": "shop", "record": made["id"]}).text
    actions = re.findall(r'<tr data-entry="\d+" data-action="([\w.]+)"', html)
    assert actions == ["record.update", "record.create"]
    # the field by its label (its key on hover), the app and form by their names
    assert '<td title="region">地区</td><td>华南</td><td>华东</td>' in html and "修改记录" in html
    assert '<span title="shop">' in html and '<option value="shop" selected>' in html
    logins = client.get("/admin/audit", params={"action": "login,login.failed", "user": "wang"}).text
    assert re.findall(r'data-action="([\w.]+)"', logins) == ["login.failed", "login"]
    assert "登录失败" in logins
    first = client.get("/admin/audit", params={"since": "2000-01-01T00:00"}).text
    assert len(re.findall(r"<tr data-entry=", first)) > 0
    assert client.get("/admin/audit", params={"record": "", "user": ""}).status_code == 200  # the blank form
    assert client.get("/admin/audit", params={"record": "abc"}).status_code == 400
    assert client.get("/admin/audit", params={"since": "0001-01-01T00:00"}).status_code == 400  # year 0 in UTC
    bad = client.get("/admin/audit", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text
    make.user("rep", admin=False)
    _session(make, client, "rep")
    assert client.get("/admin/audit").status_code == 403


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _admin_session(make: Maker) -> None:
    make.user("admin")
    _session(make, make.client, "admin")


@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(["user", "action", "app", "form", "record", "since", "until", "cursor"]),
        st.text(max_size=25),
        max_size=4,
    )
)
def test_random_audit_filters_get_the_page_or_a_400_page(make: Maker, params: dict[str, str]) -> None:
    _admin_session(make)
    page = make.client.get("/admin/audit", params=params)
    assert page.status_code in (200, 400, 422), page.text[:300]
    api = make.client.get("/api/v1/audit/export", params=params)
    assert api.status_code in (200, 400, 422), api.text[:300]


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["q", "after", "active", "limit"]), st.text(max_size=25), max_size=3))
def test_random_user_list_parameters_get_the_list_or_a_named_4xx(make: Maker, params: dict[str, str]) -> None:
    _admin_session(make)
    assert make.client.get("/admin/org", params=params).status_code in (200, 400, 422)
    r = make.client.get("/api/v1/users", params=params)
    assert r.status_code in (200, 400, 422), r.text[:300]


def test_a_users_page_lists_the_roles_held_through_a_department(make: Maker, client: TestClient) -> None:
    setup_sales(make)
    r = client.post("/api/v1/users", json={"username": "li", "password": "pass-word-77", "departments": ["west"]},
                    headers=make.admin)
    assert r.status_code == 201, r.text
    r = client.put("/api/v1/apps/sales/roles/auditor/members", json={"users": ["aud"], "departments": ["west"]},
                   headers=make.admin)
    assert r.status_code == 200, r.text
    _session(make, client, "admin")
    roles = re.search(r'id="roles-title".*?</section>', client.get("/admin/users/li").text, re.S)
    assert roles and 'href="/apps/sales"' in roles.group(0) and "auditor" in roles.group(0)


def test_the_console_names_apps_roles_and_departments_by_their_names(make: Maker, client: TestClient) -> None:
    setup_sales(make)
    admin = make.admin
    assert client.post("/api/v1/departments", json={"key": "hd", "name": "华东销售部"}, headers=admin).status_code == 201
    assert client.patch("/api/v1/users/rep1", json={"departments": ["hd", "east1"]}, headers=admin).status_code == 200
    _session(make, client, "admin")
    roles = re.search(r'id="roles-title".*?</section>', client.get("/admin/users/rep1").text, re.S)
    assert roles is not None
    assert '<a href="/apps/sales">销售</a>' in roles.group(0) and "销售代表" in roles.group(0)
    row = re.search(r'<tr data-username="rep1">.*?</tr>', client.get("/admin/org", params={"q": "rep1"}).text, re.S)
    assert row is not None and "<td>华东销售部、east1</td>" in row.group(0)


def test_a_users_page_shows_what_login_throttling_holds_against_them(make: Maker, client: TestClient) -> None:
    make.user("wang", admin=False)
    assert make.admin
    _session(make, client, "admin")
    assert 'id="user-login-holds-none"' in client.get("/admin/users/wang").text
    for _ in range(2):
        client.post("/api/v1/auth/login", json={"username": "wang", "password": "wrong-pass-1"})
    html = client.get("/admin/users/wang").text
    rows = re.findall(r"<tr(?: class=\"locked\")?><td>([^<]+)</td><td>(\d+)</td>", html)
    assert sorted(rows) == [("testclient", "2"), ("所有地址（只减速）", "2")] and "未锁定" in html
    assert client.post("/api/v1/users/wang/unlock", headers=make.admin).status_code == 200
    assert 'id="user-login-holds-none"' in client.get("/admin/users/wang").text


def test_a_deactivated_department_is_offered_only_to_who_is_in_it(make: Maker, client: TestClient) -> None:
    for key, name in (("east", "华东"), ("closed", "撤销部")):
        assert client.post("/api/v1/departments", json={"key": key, "name": name}, headers=make.admin).status_code == 201
    for username, dept in (("wang", "closed"), ("li", "east")):
        r = client.post("/api/v1/users", json={"username": username, "password": "pass-word-1", "departments": [dept]},
                        headers=make.admin)
        assert r.status_code == 201, r.text
    assert client.patch("/api/v1/departments/closed", json={"active": False}, headers=make.admin).status_code == 200
    _session(make, client, "admin")
    in_it, not_in_it, new_user = (client.get("/admin/users/wang").text, client.get("/admin/users/li").text,
                                  client.get("/admin/org").text)
    assert re.search(r'<option value="closed" selected>撤销部（已停用）</option>', in_it)
    assert 'value="closed"' not in not_in_it and 'value="east"' in not_in_it
    new_user_select = new_user[new_user.index('id="user-new-departments"'):]
    new_user_select = new_user_select[:new_user_select.index("</select>")]
    assert 'value="closed"' not in new_user_select and 'value="east"' in new_user_select
