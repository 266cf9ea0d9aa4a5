"""API tokens (scope, apps, expiry, revocation), login throttling, password policy and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from runtime.db.tables import tokens
from tests.factories import Maker, shop
from tests.permission_setup import DEALS, deal, setup_sales

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: Any) -> Clock:
    app.state.clock = Clock()
    return app.state.clock  # type: ignore[no-any-return]


def _token(make: Maker, who: dict[str, str], **body: Any) -> dict[str, Any]:
    r = make.client.post("/api/v1/tokens", json={"name": "ERP 同步", "apps": ["sales"], "scope": "read",
                                                 "expires_in_days": 30, **body}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}


def test_a_token_is_shown_once_and_stored_only_as_a_hash(make: Maker, clock: Clock) -> None:
    people = setup_sales(make)
    made = _token(make, people["rep1"])
    listed = make.client.get("/api/v1/tokens", headers=people["rep1"]).json()["items"]
    assert [t["id"] for t in listed] == [made["id"]] and made["token"] not in str(listed)
    with make.app.state.db.read() as conn:
        stored = [tuple(r) for r in conn.execute(select(tokens))]
    assert made["token"] not in str(stored)


def test_a_read_token_reads_within_the_users_rights_and_changes_nothing(make: Maker, clock: Clock) -> None:
    people = setup_sales(make)
    deal(make, people["rep1"], "我的")
    deal(make, people["rep3"], "别人的")
    read = _bearer(_token(make, people["rep1"]))
    assert {i["data"]["name"] for i in make.client.get(DEALS, headers=read).json()["items"]} == {"我的"}
    r = make.client.post(DEALS, json={"data": {"name": "x"}}, headers=read)
    assert r.status_code == 403 and r.json()["error"]["reason"] == "token_scope"
    assert make.client.post("/api/v1/departments", json={"key": "d", "name": "d"},
                            headers=_bearer(_token(make, make.admin))).status_code == 403
    write = _bearer(_token(make, people["rep1"], scope="write"))
    assert make.client.post(DEALS, json={"data": {"name": "x"}}, headers=write).status_code == 201


def test_a_token_reaches_only_its_apps(make: Maker, clock: Clock) -> None:
    setup_sales(make)
    make.app_def(shop())
    sales_only = _bearer(_token(make, make.admin, apps=["sales"]))
    assert make.client.get(make.url(), headers=sales_only).status_code == 404
    assert make.client.get(make.url(), headers=make.admin).status_code == 200
    assert [a["key"] for a in make.client.get("/api/v1/apps", headers=sales_only).json()["items"]] == ["sales"]
    assert make.client.post("/api/v1/tokens", json={"name": "x", "apps": ["nosuch"]},
                            headers=make.admin).status_code == 400
    nobody = make.client.post("/api/v1/auth/login", json={"username": "nobody", "password": "pass-word-1"}).json()
    r = make.client.post("/api/v1/tokens", json={"name": "x", "apps": ["sales"]},
                         headers={"Authorization": f"Bearer {nobody['access_token']}"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "apps"  # no role in the app: no token for it


def test_a_token_expires_and_a_revoked_one_is_refused_at_once(make: Maker, clock: Clock) -> None:
    people = setup_sales(make)
    short = _token(make, people["rep1"], expires_in_days=1)
    assert make.client.get(DEALS, headers=_bearer(short)).status_code == 200
    clock.now = START + timedelta(days=1, seconds=1)
    assert make.client.get(DEALS, headers=_bearer(short)).status_code == 401
    other = _token(make, people["rep1"])
    assert make.client.delete(f"/api/v1/tokens/{other['id']}", headers=people["rep3"]).status_code == 404
    assert make.client.get(DEALS, headers=_bearer(other)).status_code == 200
    assert make.client.delete(f"/api/v1/tokens/{other['id']}", headers=people["rep1"]).status_code == 200
    assert make.client.get(DEALS, headers=_bearer(other)).status_code == 401


def test_an_api_token_cannot_mint_more_tokens(make: Maker, clock: Clock) -> None:
    setup_sales(make)
    write = _bearer(_token(make, make.admin, scope="write"))
    r = make.client.post("/api/v1/tokens", json={"name": "x", "apps": ["sales"], "scope": "write"}, headers=write)
    assert r.status_code == 403


def _login(make: Maker, username: str, password: str) -> Any:
    return make.client.post("/api/v1/auth/login", json={"username": username, "password": password})


@pytest.mark.parametrize("username", ["rep1", "ghost"], ids=["known-user", "unknown-user"])
def test_repeated_failures_slow_down_then_lock_whether_or_not_the_user_exists(make: Maker, clock: Clock,
                                                                            username: str) -> None:
    setup_sales(make)
    assert [_login(make, username, "wrong-pass-1").status_code for _ in range(3)] == [401, 401, 401]
    early = _login(make, username, "pass-word-1")  # even the right password is not tried now
    assert early.status_code == 429 and early.headers["Retry-After"] == "1"
    clock.now += timedelta(seconds=1)
    assert _login(make, username, "wrong-pass-1").status_code == 401
    assert _login(make, username, "wrong-pass-1").headers["Retry-After"] == "2"  # the wait doubles
    for _ in range(6):  # keep failing, each time after the wait: ten failures lock the name
        clock.now += timedelta(seconds=61)
        _login(make, username, "wrong-pass-1")
    clock.now += timedelta(seconds=61)
    locked = _login(make, username, "pass-word-1")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    clock.now += timedelta(minutes=15)
    assert _login(make, username, "pass-word-1").status_code == (200 if username == "rep1" else 401)


def test_a_success_clears_the_count(make: Maker, clock: Clock) -> None:
    setup_sales(make)
    for _ in range(3):
        _login(make, "rep2", "wrong-pass-1")
    clock.now += timedelta(seconds=1)
    assert _login(make, "rep2", "pass-word-1").status_code == 200
    assert _login(make, "rep2", "wrong-pass-1").status_code == 401
    assert _login(make, "rep2", "wrong-pass-1").status_code == 401  # counting from zero again


@pytest.mark.parametrize("password,rule", [
    ("short1!", "at least 8"), ("abcdefghij", "two of"), ("12345678", "two of"), ("password1", "easy"),
    ("zhang.wei-2026", "easy"), ("x1" * 200, "at most"),
], ids=["short", "letters-only", "digits-only", "common", "contains-username", "too-long"])
def test_the_password_policy_names_the_rule_broken(make: Maker, password: str, rule: str) -> None:
    r = make.client.post("/api/v1/users", json={"username": "zhang.wei", "password": password},
                         headers={**make.admin, "Accept-Language": "en"})
    assert r.status_code == 400 and rule in r.json()["error"]["message"]


def test_the_audit_log_records_logins_definitions_permissions_and_records(make: Maker, clock: Clock) -> None:
    people = setup_sales(make)
    _login(make, "rep1", "wrong-pass-1")
    d = deal(make, people["rep1"], "审计")
    make.client.patch(f"{DEALS}/{d['id']}", json={"data": {"amount": "5"}}, headers=people["rep1"])
    make.client.delete(f"{DEALS}/{d['id']}", headers=make.admin)
    make.client.post(f"{DEALS}/{d['id']}/restore", headers=make.admin)
    audit = lambda **p: make.client.get("/api/v1/audit", params=p, headers=make.admin).json()["items"]  # noqa: E731
    actions = {e["action"] for e in audit(limit=500)}
    assert {"app.import", "department.create", "user.create", "role.members", "login", "login.failed",
            "record.create", "record.update", "record.delete", "record.restore"} <= actions
    failed = audit(action="login.failed")[0]
    assert failed["user"] == "rep1" and failed["ip"]
    timeline = audit(app="sales", form="deal", record=d["id"])
    assert [e["action"] for e in timeline] == ["record.restore", "record.delete", "record.update", "record.create"]
    assert timeline[2]["detail"]["changed"] == {"amount": {"from": None, "to": "5.00"}}
    assert {e["action"] for e in audit(action="record.")} == {"record.create", "record.update", "record.delete",
                                                              "record.restore"}
    assert all(e["user"] == "rep1" for e in audit(user="rep1"))
    assert audit(since="2030-01-01T00:00:00Z") == []
    assert len(audit(until="2030-01-01T00:00:00Z", limit=500)) == len(audit(limit=500))
    assert make.client.get("/api/v1/audit", params={"since": "2026-01-01T00:00:00"},
                           headers=make.admin).status_code == 400
    assert make.client.get("/api/v1/audit", headers=people["mgr"]).status_code == 403
    # the record's own timeline, for whoever may read the record
    own = make.client.get(f"{DEALS}/{d['id']}/audit", headers=people["rep1"]).json()["items"]
    assert [e["action"] for e in own] == [e["action"] for e in timeline]


def test_the_audit_log_pages_with_a_cursor(make: Maker, clock: Clock) -> None:
    setup_sales(make)
    seen, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = make.client.get("/api/v1/audit", params=params, headers=make.admin).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = [e["id"] for e in make.client.get("/api/v1/audit", params={"limit": 500},
                                                   headers=make.admin).json()["items"]]
    assert seen == everything and len(seen) > 6
    assert make.client.get("/api/v1/audit", params={"cursor": "x"}, headers=make.admin).status_code == 400
