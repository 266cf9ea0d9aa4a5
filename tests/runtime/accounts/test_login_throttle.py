"""Login throttling without a lock-out weapon (issue 21, item 8), through HTTP from several client addresses:
a pair (name, address) locks, an address trying many names locks, the account as a whole only slows down and
never at an address its owner logged in from before; a success clears counts; administrators unlock (API,
CLI); every lock and unlock is audited; names that are no user behave the same."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime import cli
from runtime.cli import main
from runtime.db.db import Database
from tests.factories import Maker
from tests.flows import Clock

ATTACKER, HOME, TRAVEL, OFFICE = "203.0.113.7", "198.51.100.20", "192.0.2.55", "198.51.100.99"


def _at(app: Any, address: str) -> TestClient:
    """A client whose requests come from `address` (what request.client.host reports)."""
    return TestClient(app, client=(address, 50000))


def _login(client: TestClient, username: str, password: str) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _fail(client: TestClient, clock: Clock, username: str, tries: int = 10, pause: int = 61) -> list[int]:
    """`tries` wrong passwords, each `pause` seconds after the last (61: after any slowdown); their statuses."""
    statuses = []
    for _ in range(tries):
        statuses.append(_login(client, username, "wrong-pass-1").status_code)
        clock.advance(seconds=pause)
    return statuses


def _audit(make: Maker, action: str) -> list[dict[str, Any]]:
    return make.client.get("/api/v1/audit", params={"action": action, "limit": 500},  # type: ignore[no-any-return]
                           headers=make.admin).json()["items"]


def test_guessing_admin_from_one_address_locks_that_address_not_the_owner_at_home(make: Maker) -> None:
    clock = Clock(make.app)
    make.user("owner", password="home-pass-1")  # an administrator, like `admin`
    assert _login(_at(make.app, HOME), "owner", "home-pass-1").status_code == 200  # HOME is now known
    attacker = _at(make.app, ATTACKER)
    statuses = _fail(attacker, clock, "owner", tries=10) + _fail(attacker, clock, "owner", tries=20, pause=0)
    assert statuses == [401] * 10 + [429] * 20  # locked there after ten
    right_there = _login(attacker, "owner", "home-pass-1")
    assert right_there.status_code == 429 and int(right_there.headers["Retry-After"]) > 0
    assert _login(_at(make.app, HOME), "owner", "home-pass-1").status_code == 200  # no slowdown at home either
    locks = _audit(make, "login.locked")
    assert [(e["user"], e["ip"], e["detail"]["scope"], e["detail"]["address"]) for e in locks] == [
        ("owner", ATTACKER, "pair", ATTACKER)]


def test_elsewhere_the_account_as_a_whole_slows_down_and_never_locks(make: Maker) -> None:
    clock = Clock(make.app)
    make.user("owner", password="home-pass-1")
    _fail(_at(make.app, ATTACKER), clock, "owner", tries=10)
    clock.advance(seconds=-60)  # just after the last failure
    travelling = _at(make.app, TRAVEL)  # the owner on a trip: an address never used before
    slowed = _login(travelling, "owner", "home-pass-1")
    assert slowed.status_code == 429 and 0 < int(slowed.headers["Retry-After"]) <= 60
    clock.advance(seconds=int(slowed.headers["Retry-After"]))
    assert _login(travelling, "owner", "home-pass-1").status_code == 200


def test_an_address_trying_many_names_is_locked_for_all_of_them_and_the_lock_is_audited(make: Maker) -> None:
    clock = Clock(make.app)
    make.user("li.na", admin=False, password="li-na-pass-1")
    sprayer = _at(make.app, ATTACKER)
    names = ["li.na"] + [f"user{i}" for i in range(49)]  # one guess each: no name reaches its own limit
    statuses = []
    for name in names:
        statuses.append(_login(sprayer, name, "Spring2026!").status_code)
        clock.advance(seconds=61)
    assert statuses == [401] * 50
    assert _login(sprayer, "li.na", "li-na-pass-1").status_code == 429  # the address is locked, every name
    assert _login(sprayer, "someone.new", "whatever-1").status_code == 429
    assert _login(_at(make.app, HOME), "li.na", "li-na-pass-1").status_code == 200  # li.na elsewhere is fine
    locks = _audit(make, "login.locked")
    assert [(e["user"], e["detail"]["scope"], e["detail"]["address"]) for e in locks] == [
        ("user48", "address", ATTACKER)]


def test_a_success_clears_the_names_counts_and_its_typing_off_the_address(make: Maker) -> None:
    Clock(make.app)
    make.user("zhao.lei", admin=False, password="zhao-pass-1")
    office = _at(make.app, OFFICE)
    answers = []
    for _ in range(12):  # a whole day of typing the password wrong twice before getting it right
        answers += [_login(office, "zhao.lei", "zhao-pass-x").status_code for _ in range(2)]
        answers.append(_login(office, "zhao.lei", "zhao-pass-1").status_code)
    assert answers == [401, 401, 200] * 12  # never slowed: neither the name's count nor the office's grows


@pytest.mark.parametrize("username", ["wang.fang", "nobody.here"], ids=["user", "no-such-user"])
def test_names_that_are_no_user_are_throttled_exactly_like_users(make: Maker, username: str) -> None:
    clock = Clock(make.app)
    make.user("wang.fang", admin=False, password="wang-pass-1")
    attacker = _at(make.app, ATTACKER)
    answers = []
    for step in (0, 0, 0, 0, 1, 0, 2, 5, 61, 61, 61, 61, 61, 61, 61, 0):
        clock.advance(seconds=step)
        r = _login(attacker, username, "wrong-pass-1")
        answers.append((r.status_code, r.headers.get("Retry-After")))
    assert answers[:5] == [(401, None)] * 3 + [(429, "1"), (401, None)]  # three free, then 1 s, 2 s, …
    assert answers[-1][0] == 429 and int(answers[-1][1]) > 600  # ten failures: the pair is locked
    clock.advance(seconds=61)
    assert _login(_at(make.app, TRAVEL), username, "wrong-pass-1").status_code == 401  # elsewhere: no lock


def test_an_administrator_unlocks_a_name_through_the_api_and_it_is_audited(make: Maker) -> None:
    clock = Clock(make.app)
    rep = make.user("chen.jie", admin=False, password="chen-pass-1")
    attacker = _at(make.app, ATTACKER)
    _fail(attacker, clock, "chen.jie", tries=10)
    assert _login(attacker, "chen.jie", "chen-pass-1").status_code == 429
    assert make.client.post("/api/v1/users/chen.jie/unlock", headers=rep).status_code == 403
    assert make.client.post("/api/v1/users/no.such/unlock", headers=make.admin).status_code == 404
    r = make.client.post("/api/v1/users/chen.jie/unlock", headers=make.admin)
    assert r.status_code == 200 and r.json()["username"] == "chen.jie" and r.json()["cleared"] >= 1
    assert _login(attacker, "chen.jie", "chen-pass-1").status_code == 200
    [entry] = _audit(make, "user.unlock")
    assert entry["user"] == "admin" and entry["detail"]["username"] == "chen.jie"


def test_the_cli_unlocks_a_name_and_it_is_audited(make: Maker, db: Database, monkeypatch: Any,
                                                   capsys: Any) -> None:
    clock = Clock(make.app)
    make.user("sun.mei", admin=False, password="sun-pass-1")
    attacker = _at(make.app, ATTACKER)
    _fail(attacker, clock, "sun.mei", tries=10)
    monkeypatch.setattr(cli, "database_from_args", lambda args: db)
    assert main(["user", "unlock", "sun.mei"]) == 0
    assert "sun.mei" in capsys.readouterr().out
    assert main(["user", "unlock", "no.such"]) == 1
    assert _login(attacker, "sun.mei", "sun-pass-1").status_code == 200
    [entry] = _audit(make, "user.unlock")
    assert entry["user"] is None and entry["ip"] == "cli" and entry["detail"]["username"] == "sun.mei"


def test_an_administrator_sees_where_a_name_is_locked_until_it_is_unlocked(make: Maker) -> None:
    clock = Clock(make.app)
    make.user("chen.jie", admin=False, password="chen-pass-1")
    _fail(_at(make.app, ATTACKER), clock, "chen.jie", tries=10, pause=61)
    _fail(_at(make.app, TRAVEL), clock, "chen.jie", tries=2, pause=61)
    person = make.client.get("/api/v1/users/chen.jie", headers=make.admin).json()
    by_address = {h["address"]: h for h in person["login_holds"]}
    assert by_address[ATTACKER]["locked_until"] is not None and by_address[TRAVEL]["locked_until"] is None
    assert by_address[TRAVEL]["failures"] == 2 and by_address[None]["failures"] == 12  # the name everywhere
    own = make.client.get("/api/v1/users/chen.jie", headers=make.user("chen.jie", admin=False, password="chen-pass-1"))
    assert "login_holds" not in own.json()  # what someone tried against a name is for administrators
    make.client.post("/api/v1/users/chen.jie/unlock", headers=make.admin)
    assert make.client.get("/api/v1/users/chen.jie", headers=make.admin).json()["login_holds"] == []
