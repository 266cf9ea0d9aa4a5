"""Login throttling: failed logins slow down, then lock, per username and per client address.

The same rules apply whether or not the username exists, so the answers never tell. After FREE_FAILURES
consecutive failures each further attempt must wait 2^(n - FREE_FAILURES) seconds (capped); after
LOCK_AFTER failures the name is locked for LOCK_MINUTES. An address gets ADDRESS_FACTOR times more room
(an office behind one NAT). A successful login clears the name's count."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, select, text

from engine.errors import TooManyAttempts
from runtime.storage.tables import login_attempts
from runtime.storage.types import UTCDateTime

FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_MINUTES = 15
MAX_DELAY_SECONDS = 60
ADDRESS_FACTOR = 5


def throttle_keys(username: str, ip: str | None) -> list[str]:
    return [f"user:{username.strip().lower()[:180]}"] + ([f"ip:{ip}"] if ip else [])


def _limits(key: str) -> tuple[int, int]:
    factor = ADDRESS_FACTOR if key.startswith("ip:") else 1
    return FREE_FAILURES * factor, LOCK_AFTER * factor


def _wait(key: str, failures: int, last: datetime, locked_until: datetime | None, now: datetime) -> int:
    """Seconds still to wait before this key may try again (0: it may)."""
    if locked_until is not None and locked_until > now:
        return math.ceil((locked_until - now).total_seconds())
    free, _ = _limits(key)
    if failures < free:
        return 0
    delay = min(2 ** (failures - free), MAX_DELAY_SECONDS)
    ready = last + timedelta(seconds=delay)
    return math.ceil((ready - now).total_seconds()) if ready > now else 0


def check_allowed(conn: Connection, keys: Sequence[str], now: datetime) -> None:
    """TooManyAttempts (429 with Retry-After) when any key must still wait; the password is not even tried."""
    rows = conn.execute(select(login_attempts).where(login_attempts.c.key.in_(list(keys))))
    wait = max((_wait(r.key, r.failures, r.last_failure_at, r.locked_until, now) for r in rows), default=0)
    if wait > 0:
        raise TooManyAttempts(f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed logins; try again in {wait} s",
                              retry_after=wait)


def record_failure(conn: Connection, keys: Sequence[str], now: datetime) -> None:
    """Count one failure for each key, and lock a key that reached its limit."""
    for key in keys:
        failures = conn.execute(text(
            "INSERT INTO login_attempts (key, failures, last_failure_at) VALUES (:k, 1, :now) "
            "ON CONFLICT (key) DO UPDATE SET failures = login_attempts.failures + 1, last_failure_at = :now "
            "RETURNING failures").bindparams(bindparam("now", type_=UTCDateTime)), {"k": key, "now": now}).scalar_one()
        _, lock_after = _limits(key)
        if failures >= lock_after:
            conn.execute(login_attempts.update().where(login_attempts.c.key == key).values(
                locked_until=now + timedelta(minutes=LOCK_MINUTES), failures=0))


def record_success(conn: Connection, keys: Sequence[str]) -> None:
    """A right password clears the username's count (not the address's: others may be guessing there)."""
    conn.execute(delete(login_attempts).where(login_attempts.c.key.in_([k for k in keys if k.startswith("user:")])))


__all__ = ["check_allowed", "record_failure", "record_success", "throttle_keys"]
