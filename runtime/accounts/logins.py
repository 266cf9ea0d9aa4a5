"""Login throttling without a lock-out weapon (OWASP ASVS V2.2): three counts of failed logins.

- per name and address ("pair"), the strict one: slows down, then locks that name at that address;
- per address: ADDRESS_FACTOR times the room (an office behind one NAT), then locks the address —
  one address trying many names;
- per name as a whole ("account"): only slows down, never locks, and not at an address the user has
  logged in from before (a known address). So someone guessing elsewhere can neither lock the owner out
  nor slow them down where they usually work.

Each count is free for its first failures; then each attempt must wait 2^(n - free) seconds after the
key's last failure (at most MAX_DELAY_SECONDS). A count nobody has added to for FORGET_AFTER starts over.
The same rules apply whether or not the name exists, so the answers never tell. A success clears the
name's pair and account counts, takes that pair's failures back off the address's count (they were the
owner's typing, not someone else's guessing) and remembers the address as known."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.errors import TooManyAttempts
from runtime.db.tables import login_addresses, login_attempts, users

FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_MINUTES = 15
MAX_DELAY_SECONDS = 60
ADDRESS_FACTOR = 5
FORGET_AFTER = timedelta(hours=24)
KNOWN_FOR = timedelta(days=90)  # a known address not used for this long is forgotten
NO_ADDRESS = "-"  # a request without a client address (a Unix socket) is one address of its own


@dataclass(frozen=True)
class Rule:
    """How one kind of count behaves: failures free of delay, and how many lock (None: never)."""

    scope: str
    free: int
    lock_after: int | None


@dataclass(frozen=True)
class Throttle:
    """The limits an administrator may change (系统设置 → 密码与登录): free failures, failures that lock a name
    at an address (the address's own count: ADDRESS_FACTOR times both), and how long a lock lasts."""

    free_failures: int = FREE_FAILURES
    lock_after: int = LOCK_AFTER
    lock_minutes: int = LOCK_MINUTES

    def rules(self) -> tuple[Rule, Rule, Rule]:
        """The pair, address and account rules under these limits."""
        return (Rule("pair", self.free_failures, self.lock_after),
                Rule("address", self.free_failures * ADDRESS_FACTOR, self.lock_after * ADDRESS_FACTOR),
                Rule("account", self.free_failures, None))


DEFAULT_THROTTLE = Throttle()
PAIR, ADDRESS, ACCOUNT = DEFAULT_THROTTLE.rules()


@dataclass(frozen=True)
class Attempt:
    """One login attempt: the name as typed and the client's address."""

    username: str
    address: str | None

    @property
    def name(self) -> str:
        """The name as counted: case and surrounding blanks do not make a new name to guess."""
        return self.username.strip().lower()[:180]

    @property
    def where(self) -> str:
        return (self.address or NO_ADDRESS)[:64]


@dataclass(frozen=True)
class Lock:
    """A count that reached its limit just now (the caller audits it)."""

    scope: str
    until: datetime


@dataclass(frozen=True)
class _Key:
    rule: Rule
    key: str
    username: str | None
    address: str | None


def _keys(attempt: Attempt, throttle: Throttle = DEFAULT_THROTTLE) -> list[_Key]:
    pair = hashlib.sha256(f"{attempt.name}\n{attempt.where}".encode()).hexdigest()[:40]
    pair_rule, address_rule, account_rule = throttle.rules()
    return [_Key(pair_rule, f"pair:{pair}", attempt.name, attempt.where),
            _Key(address_rule, f"ip:{attempt.where}", None, attempt.where),
            _Key(account_rule, f"user:{attempt.name}", attempt.name, None)]


def is_known_address(conn: Connection, attempt: Attempt) -> bool:
    """Has this user (if there is one by this name) logged in from this address before?"""
    return conn.scalar(select(login_addresses.c.user_id).join(users, users.c.id == login_addresses.c.user_id).where(
        users.c.username == attempt.username, login_addresses.c.address == attempt.where).limit(1)) is not None


def _wait(rule: Rule, failures: int, last: datetime, locked_until: datetime | None, now: datetime) -> int:
    """Seconds still to wait before this key may try again (0: it may)."""
    if locked_until is not None and locked_until > now:
        return math.ceil((locked_until - now).total_seconds())
    if failures < rule.free or now - last >= FORGET_AFTER:
        return 0
    ready = last + timedelta(seconds=min(2 ** (failures - rule.free), MAX_DELAY_SECONDS))
    return math.ceil((ready - now).total_seconds()) if ready > now else 0


def check_allowed(conn: Connection, attempt: Attempt, now: datetime, throttle: Throttle = DEFAULT_THROTTLE) -> None:
    """TooManyAttempts (429 with Retry-After) when any count must still wait; the password is not even tried."""
    keys = {k.key: k for k in _keys(attempt, throttle)
            if k.rule.scope != "account" or not is_known_address(conn, attempt)}
    rows = conn.execute(select(login_attempts).where(login_attempts.c.key.in_(list(keys))))
    wait = max((_wait(keys[r.key].rule, r.failures, r.last_failure_at, r.locked_until, now) for r in rows), default=0)
    if wait > 0:
        raise TooManyAttempts(f"登录失败次数过多，请 {wait} 秒后再试", f"too many failed logins; try again in {wait} s",
                              retry_after=wait)


def record_failure(conn: Connection, attempt: Attempt, now: datetime,
                   throttle: Throttle = DEFAULT_THROTTLE) -> list[Lock]:
    """Count one failure on each key (the account's too, known address or not); the locks this made."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    c = login_attempts.c
    locks = []
    for k in _keys(attempt, throttle):
        statement = dialect.insert(login_attempts).values(
            key=k.key, username=k.username, address=k.address, failures=1, last_failure_at=now)
        failures = conn.scalar(statement.on_conflict_do_update(index_elements=["key"], set_={
            "failures": case((c.last_failure_at <= now - FORGET_AFTER, 1), else_=c.failures + 1),
            "last_failure_at": now}).returning(c.failures))
        if k.rule.lock_after is not None and failures >= k.rule.lock_after:
            until = now + timedelta(minutes=throttle.lock_minutes)
            conn.execute(update(login_attempts).where(c.key == k.key).values(locked_until=until, failures=0))
            locks.append(Lock(k.rule.scope, until))
    return locks


def record_success(conn: Connection, attempt: Attempt, user_id: int, now: datetime) -> None:
    """Clear the name's counts (at this address and as a whole; other addresses' stay), take this pair's
    failures off the address's count, and remember the address as one the user logs in from."""
    pair, address, account = _keys(attempt)
    c = login_attempts.c
    mine = conn.scalar(select(c.failures).where(c.key == pair.key)) or 0
    conn.execute(delete(login_attempts).where(c.key.in_([pair.key, account.key])))
    if mine:
        conn.execute(update(login_attempts).where(c.key == address.key).values(
            failures=case((c.failures > mine, c.failures - mine), else_=0)))
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(login_addresses).values(user_id=user_id, address=attempt.where, last_login_at=now)
                 .on_conflict_do_update(index_elements=["user_id", "address"], set_={"last_login_at": now}))
    conn.execute(delete(login_addresses).where(login_addresses.c.user_id == user_id,
                                               login_addresses.c.last_login_at < now - KNOWN_FOR))


def unlock(conn: Connection, username: str) -> int:
    """An administrator's unlock: forget every count and lock of this name (at every address, and as a
    whole); how many were cleared. Addresses' own counts stay: they are about other names too."""
    name = Attempt(username, None).name
    return conn.execute(delete(login_attempts).where(login_attempts.c.username == name)).rowcount


def holds(conn: Connection, username: str, now: datetime) -> list[dict[str, Any]]:
    """What the throttle holds against a name, for its administrator: per address (None: the name as a whole,
    which only slows down) the failures still counted and the lock in force, if any; nothing once unlocked."""
    c = login_attempts.c
    rows = conn.execute(select(c.address, c.failures, c.last_failure_at, c.locked_until)
                        .where(c.username == Attempt(username, None).name).order_by(c.address))
    out = []
    for r in rows:
        locked = r.locked_until if r.locked_until is not None and r.locked_until > now else None
        failures = r.failures if now - r.last_failure_at < FORGET_AFTER else 0
        if failures or locked:
            out.append({"address": r.address, "failures": failures,
                        "locked_until": locked.isoformat().replace("+00:00", "Z") if locked else None})
    return out


__all__ = ["DEFAULT_THROTTLE", "Attempt", "Lock", "Throttle", "check_allowed", "record_failure", "record_success", "unlock", "is_known_address", "holds"]
