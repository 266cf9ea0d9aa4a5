"""The admin console's API (issue 27): departments deactivated, users paged and searched, contacts checked,
passwords reset with a forced change at next login, a user's logins, tokens and sessions, 全部下线."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from runtime import audit
from runtime.audit import AuditQuery, search
from tests.factories import Maker


def _login(c: TestClient, username: str, password: str) -> dict[str, str]:
    r = c.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _actions(make: Maker) -> list[str]:
    with make.app.state.db.read() as conn:
        return [r.action for r in search(conn, AuditQuery(limit=500))[0]]


def test_a_department_is_deactivated_only_after_its_sub_departments(make: Maker) -> None:
    c, admin = make.client, make.admin
    c.post("/api/v1/departments", json={"key": "hq", "name": "总部"}, headers=admin)
    c.post("/api/v1/departments", json={"key": "east", "name": "华东", "parent": "hq"}, headers=admin)
    r = c.patch("/api/v1/departments/hq", json={"active": False}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "active"
    assert c.patch("/api/v1/departments/east", json={"active": False}, headers=admin).json()["active"] is False
    assert c.patch("/api/v1/departments/hq", json={"active": False}, headers=admin).status_code == 200
    items = c.get("/api/v1/departments", headers=admin).json()["items"]
    assert {(d["key"], d["active"]) for d in items} == {("hq", False), ("east", False)}
    assert c.patch("/api/v1/departments/east", json={"parent": None, "active": True}, headers=admin).json() == {
        "key": "east",
        "name": "华东",
        "parent": None,
        "head": None,
        "active": True,
    }


def test_users_page_by_keyset_and_search_every_contact(make: Maker) -> None:
    c, admin = make.client, make.admin
    for i in range(5):
        r = c.post(
            "/api/v1/users",
            json={
                "username": f"u{i}",
                "password": "pass-word-1",
                "display_name": f"员工{i}",
                "mobile": f"1380000000{i}",
                "email": f"u{i}@example.cn",
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
    first = c.get("/api/v1/users", params={"limit": 4}, headers=admin).json()
    assert [u["username"] for u in first["items"]] == ["admin", "u0", "u1", "u2"]
    second = c.get("/api/v1/users", params={"limit": 4, "after": first["next_cursor"]}, headers=admin).json()
    assert [u["username"] for u in second["items"]] == ["u3", "u4"] and second["next_cursor"] is None
    for q in ("员工3", "13800000003", "U3@EXAMPLE", "u3"):
        assert [u["username"] for u in c.get("/api/v1/users", params={"q": q}, headers=admin).json()["items"]] == ["u3"]
    assert c.get("/api/v1/users", params={"q": "%"}, headers=admin).json()["items"] == []
    assert c.get("/api/v1/users", params={"limit": 0}, headers=admin).status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [("mobile", "1234"), ("mobile", "138-0000-000a"), ("email", "no-at.cn"), ("email", "a@b"), ("email", "a b@c.cn")],
)
def test_a_malformed_contact_is_refused_naming_the_field_and_nothing_is_written(
    make: Maker, field: str, value: str
) -> None:
    c, admin = make.client, make.admin
    r = c.post("/api/v1/users", json={"username": "li", "password": "pass-word-1", field: value}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == field
    assert c.get("/api/v1/users/li", headers=admin).status_code == 404
    make.user("wang", admin=False)
    r = c.patch("/api/v1/users/wang", json={field: value}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == field


def test_an_administrator_cannot_take_their_own_admin_right_away(make: Maker) -> None:
    r = make.client.patch("/api/v1/users/admin", json={"is_admin": False, "display_name": "我"}, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "is_admin"
    shown = make.client.get("/api/v1/users/admin", headers=make.admin).json()
    assert shown["display_name"] == "admin" and shown["is_admin"] is True  # nothing written


def test_contacts_are_normalised_and_cleared(make: Maker) -> None:
    c, admin = make.client, make.admin
    make.user("wang", admin=False)
    r = c.patch("/api/v1/users/wang", json={"mobile": "138 0013 8000", "email": " wang@example.cn "}, headers=admin)
    assert (r.json()["mobile"], r.json()["email"]) == ("13800138000", "wang@example.cn")
    r = c.patch("/api/v1/users/wang", json={"mobile": "", "email": None}, headers=admin)
    assert (r.json()["mobile"], r.json()["email"]) == (None, None)


def test_a_reset_password_is_shown_once_and_must_be_changed_at_next_login(make: Maker) -> None:
    c, admin = make.client, make.admin
    old = make.user("wang", admin=False)
    r = c.post("/api/v1/users/wang/password", json={}, headers=admin)
    assert r.status_code == 200 and r.json()["must_change_password"] is True
    temporary = r.json()["password"]
    assert c.get("/api/v1/departments", headers=old).json()["error"]["reason"] == "password_change_required"
    fresh = _login(c, "wang", temporary)
    refused = c.get("/api/v1/departments", headers=fresh)
    assert refused.status_code == 403 and refused.json()["error"]["reason"] == "password_change_required"
    wrong = c.post("/api/v1/me/password", json={"current": "nope", "new": "new-pass-9"}, headers=fresh)
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "current"
    weak = c.post("/api/v1/me/password", json={"current": temporary, "new": "short"}, headers=fresh)
    assert weak.status_code == 400 and weak.json()["error"]["field"] == "new"
    assert (
        c.post("/api/v1/me/password", json={"current": temporary, "new": "new-pass-9"}, headers=fresh).status_code
        == 200
    )
    assert c.get("/api/v1/departments", headers=fresh).status_code == 200
    assert "password" not in c.get("/api/v1/users/wang", headers=admin).json()
    assert {"user.password_reset", "user.password_change"} <= set(_actions(make))


def test_an_administrator_sets_a_password_without_forcing_a_change(make: Maker) -> None:
    c, admin = make.client, make.admin
    make.user("wang", admin=False)
    r = c.post("/api/v1/users/wang/password", json={"password": "chosen-pass-1", "must_change": False}, headers=admin)
    assert r.json() == {"username": "wang", "must_change_password": False}
    assert c.get("/api/v1/departments", headers=_login(c, "wang", "chosen-pass-1")).status_code == 200
    bad = c.post("/api/v1/users/wang/password", json={"password": "short"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "password"


def test_only_administrators_reset_passwords_and_see_other_users(make: Maker) -> None:
    c = make.client
    rep = make.user("rep", admin=False)
    make.user("wang", admin=False)
    assert c.post("/api/v1/users/wang/password", json={}, headers=rep).status_code == 403
    for part in ("logins", "tokens", "sessions"):
        assert c.get(f"/api/v1/users/wang/{part}", headers=rep).status_code == 403
        assert c.get(f"/api/v1/users/rep/{part}", headers=rep).status_code == 200
    assert c.delete("/api/v1/users/wang/sessions", headers=rep).status_code == 403
    assert c.post("/api/v1/users/nosuch/password", json={}, headers=make.admin).status_code == 404


def test_a_users_page_shows_their_logins_and_tokens(make: Maker) -> None:
    c, admin = make.client, make.admin
    make.user("wang", admin=False)
    assert c.post("/api/v1/auth/login", json={"username": "wang", "password": "bad-guess-1"}).status_code == 401
    logins = c.get("/api/v1/users/wang/logins", headers=admin).json()["items"]
    assert [e["action"] for e in logins] == ["login.failed", "login"]
    make.app_def()
    li = make.user("li")  # another administrator: may make a token for any app
    assert (
        c.post("/api/v1/tokens", json={"name": "报表同步", "apps": ["shop"], "scope": "read"}, headers=li).status_code
        == 201
    )
    tokens = c.get("/api/v1/users/li/tokens", headers=admin).json()["items"]
    assert [(t["name"], t["scope"], t["revoked"]) for t in tokens] == [("报表同步", "read", False)]


def test_sign_out_everywhere_ends_every_session_but_not_api_tokens(make: Maker) -> None:
    c, admin = make.client, make.admin
    first = make.user("wang", admin=False)
    second = _login(c, "wang", "password-123")
    assert len(c.get("/api/v1/users/wang/sessions", headers=admin).json()["items"]) == 2
    r = c.delete("/api/v1/users/wang/sessions", headers=admin)
    assert r.json() == {"username": "wang", "ended": 2}
    for headers in (first, second):
        assert c.get("/api/v1/me", headers=headers).status_code == 401
    assert c.get("/api/v1/users/wang/sessions", headers=admin).json()["items"] == []
    assert "user.sessions_ended" in _actions(make)


def test_administrators_list_every_users_tokens_page_by_page(make: Maker) -> None:
    c = make.client
    make.app_def()
    for name in ("li", "zhao"):
        for n in range(2):
            body = {"name": f"{name}-{n}", "apps": ["shop"], "scope": "read"}
            assert c.post("/api/v1/tokens", json=body, headers=make.user(name)).status_code == 201
    first = c.get("/api/v1/tokens/all", params={"limit": 3}, headers=make.admin).json()
    assert [(t["user"], t["name"]) for t in first["items"]] == [("zhao", "zhao-1"), ("zhao", "zhao-0"), ("li", "li-1")]
    rest = c.get("/api/v1/tokens/all", params={"limit": 3, "before": first["next_before"]}, headers=make.admin).json()
    assert [t["name"] for t in rest["items"]] == ["li-0"] and rest["next_before"] is None
    assert c.get("/api/v1/tokens/all", headers=make.user("rep", admin=False)).status_code == 403


def test_the_audit_log_exports_what_the_filters_match_and_the_export_is_audited(make: Maker) -> None:
    c, admin = make.client, make.admin
    make.user("wang", admin=False)
    c.post("/api/v1/auth/login", json={"username": "wang", "password": "wrong-pass-1"})
    r = c.get(
        "/api/v1/audit/export", params={"format": "csv", "action": "login,login.failed", "user": "wang"}, headers=admin
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("时间,用户,操作") and [line.split(",")[2] for line in lines[1:]] == [
        "login.failed",
        "login",
    ]
    x = c.get("/api/v1/audit/export", params={"format": "xlsx"}, headers=admin)
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert c.get("/api/v1/audit/export", params={"format": "pdf"}, headers=admin).status_code == 422
    bad = c.get("/api/v1/audit/export", params={"since": "2026-12-01T00:00:00"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "since"
    assert c.get("/api/v1/audit/export", headers=make.user("rep", admin=False)).status_code == 403
    with make.app.state.db.read() as conn:
        exported = search(conn, AuditQuery(action="audit.export", limit=10))[0]
    assert len(exported) == 2 and exported[-1].detail == {
        "format": "csv",
        "rows": 2,
        "filters": {"user": "wang", "action": "login,login.failed"},
    }


@pytest.mark.parametrize("narrow", [20_000, 1], ids=["sorted-window", "primary-key"])
@pytest.mark.parametrize("action", ["login.failed", None], ids=["and-action", "time-only"])  # time only: ids first
def test_a_time_window_gives_its_entries_newest_first_page_by_page(
    make: Maker, monkeypatch: pytest.MonkeyPatch, narrow: int, action: str | None
) -> None:
    monkeypatch.setattr(audit, "NARROW", narrow)  # both ways of reading a window give the same pages
    c, admin = make.client, make.admin
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for day in range(6):
        make.app.state.clock = lambda day=day: start + timedelta(days=day, hours=1)
        c.post("/api/v1/auth/login", json={"username": f"guess{day}", "password": "wrong-pass-1"})
    window = {"since": "2026-03-02T00:00:00Z", "until": "2026-03-05T00:00:00Z", "limit": 1}
    window |= {"action": action} if action else {}
    seen, cursor = [], None
    while True:
        page = c.get("/api/v1/audit", params=window | ({"cursor": cursor} if cursor else {}), headers=admin).json()
        seen += [e["user"] for e in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == ["guess3", "guess2", "guess1"]


def test_a_time_outside_the_databases_years_is_a_400_naming_it(make: Maker) -> None:
    for params in ({"since": "0001-01-01T00:00:00+08:00"}, {"until": "9999-12-31T23:59:00-10:00"}):
        r = make.client.get("/api/v1/audit", params=params, headers=make.admin)
        assert r.status_code == 400 and r.json()["error"]["field"] == next(iter(params)), r.text


def test_users_are_found_by_the_pinyin_of_their_name_and_the_picker_not_by_their_mobile(make: Maker) -> None:
    c, admin = make.client, make.admin
    for username, name, mobile in (("zw1", "张伟", "13912345678"), ("zwl", "周文丽", None), ("lm", "李明", None)):
        r = c.post("/api/v1/users", json={"username": username, "password": "pass-word-1", "display_name": name,
                                          "mobile": mobile}, headers=admin)
        assert r.status_code == 201, r.text

    def found(q: str) -> list[str]:
        return [u["username"] for u in c.get("/api/v1/users", params={"q": q}, headers=admin).json()["items"]]

    assert found("zhangwei") == ["zw1"] and found("ZhangW") == ["zw1"] and found("wei") == ["zw1"]
    assert found("zw") == ["zw1", "zwl"]  # 张伟's initials, and zwl's username
    assert found("张we") == ["zw1"] and found("12345") == ["zw1"]
    # a rename moves what finds them
    assert c.patch("/api/v1/users/lm", json={"display_name": "黎敏"}, headers=admin).status_code == 200
    assert found("liming") == [] and found("limin") == ["lm"]
    # the people picker finds by name and its pinyin, never by a mobile number
    make.app_def({"key": "crm2", "name": "客户", "forms": [{"key": "c", "name": "客户", "fields": [
        {"key": "name", "type": "text", "label": "名称"}]}]})
    people = "/api/v1/apps/crm2/people"
    assert [p["username"] for p in c.get(people, params={"q": "zhangwei"}, headers=admin).json()["items"]] == ["zw1"]
    assert c.get(people, params={"q": "12345"}, headers=admin).json()["items"] == []
