"""系统设置 → 密码与登录 (issue 27): the throttle's limits set in the UI apply to the next login."""

from __future__ import annotations

from tests.factories import Maker
from tests.flows import Clock
from tests.runtime.accounts.test_login_throttle import ATTACKER, _at, _fail, _login


def test_a_lower_lock_limit_and_a_longer_lock_apply_to_the_next_logins(make: Maker) -> None:
    clock = Clock(make.app)
    make.user("owner", password="home-pass-1")
    r = make.client.patch(
        "/api/v1/settings", json={"login_lock_after": 4, "login_lock_minutes": 120}, headers=make.admin
    )
    assert r.status_code == 200, r.text
    attacker = _at(make.app, ATTACKER)
    assert _fail(attacker, clock, "owner", tries=6) == [401] * 4 + [429] * 2  # locked after four, not ten
    clock.advance(minutes=60)  # the default lock (15 minutes) would be over
    assert _login(attacker, "owner", "home-pass-1").status_code == 429
    clock.advance(minutes=60)
    assert _login(attacker, "owner", "home-pass-1").status_code == 200
