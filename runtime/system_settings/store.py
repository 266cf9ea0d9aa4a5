"""The settings store: the database's values over the environment's, read through a per-process cache.

The cache trusts itself for TTL_SECONDS, then checks the store's revision (one small query): a change made in
this process applies at once, one made in another process within a second — no restart either way."""

from __future__ import annotations

import threading
import time
import weakref
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, select

from engine.flows.calendar import BusinessCalendar
from runtime.crypto.stored_secrets import resealed, seal, unseal
from runtime.db.db import Database
from runtime.db.tables import system_settings
from runtime.settings import Settings
from runtime.system_settings.catalog import NAMES, SECRETS, SECTIONS, calendar, check, typed

_lock = threading.Lock()
_base: list[Settings] = []  # the process's environment settings (the server installs its own at start-up)
TTL_SECONDS = 1.0
"""How long a process uses its cached settings without asking the database's revision: page renders and jobs
read settings many times a second, and the project's rule is coherence across processes within a second."""
_cache: weakref.WeakKeyDictionary[Engine, tuple[int, float, dict[str, Any]]] = weakref.WeakKeyDictionary()
"""engine → (revision, when it was last checked (monotonic), overrides with secrets still sealed); weak so a
closed test database's values never reach a new engine."""


def _scope(name: str) -> str:
    return f"settings/{name}"  # the ciphertext is bound to its setting: moved to another it does not decrypt


def _revision(conn: Connection) -> int:
    return int(conn.scalar(select(func.max(system_settings.c.revision))) or 0)


def _stored(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(
        select(system_settings.c.name, system_settings.c.value).where(system_settings.c.value.is_not(None))
    ).all()
    return {r.name: r.value for r in rows if r.name in NAMES}


def _fresh(engine: Engine) -> dict[str, Any] | None:
    """The cached overrides if they were checked less than TTL_SECONDS ago."""
    with _lock:
        cached = _cache.get(engine)
    return cached[2] if cached and time.monotonic() - cached[1] < TTL_SECONDS else None


def forget(engine: Engine) -> None:
    """Drop the process's cached settings of this database (after a change, so this process sees it at once)."""
    with _lock:
        _cache.pop(engine, None)


def overrides(conn: Connection) -> dict[str, Any]:
    """The values set in the database, typed (secrets still sealed): cached, the revision checked at most once
    per TTL_SECONDS, the values read again only when it moved."""
    engine = conn.engine
    if (fresh := _fresh(engine)) is not None:
        return fresh
    revision, checked = _revision(conn), time.monotonic()
    with _lock:
        cached = _cache.get(engine)
    if cached and cached[0] == revision:
        values = cached[2]
    else:
        values = {n: v if n in SECRETS else typed(n, v) for n, v in _stored(conn).items()}
    with _lock:
        _cache[engine] = (revision, checked, values)
    return values


def stale(db: Database) -> bool:
    """Whether the next read of this database's settings asks the database (an async caller then hops to a
    thread first)."""
    return _fresh(db.engine) is None


def site_zone(db: Database, base: Settings) -> ZoneInfo:
    """The site's time zone (系统设置 over TANGRAM_TIMEZONE); within TTL_SECONDS of the last check it opens no
    connection at all — every request asks it."""
    values = _fresh(db.engine)
    if values is None:
        with db.read() as conn:
            values = overrides(conn)
    return ZoneInfo(values.get("timezone", base.timezone))


def effective(conn: Connection, base: Settings, *, secrets: bool = True) -> Settings:
    """`base` (the environment's settings) with the database's values over it; `secrets=False` leaves the stored
    secrets out (the environment's stay), for readers that need none — they then work without the key too."""
    found = {
        n: unseal(v, _scope(n)) if n in SECRETS else v
        for n, v in overrides(conn).items()
        if secrets or n not in SECRETS
    }
    return base.model_copy(update=found) if found else base


def install(settings: Settings) -> None:
    """The environment's settings of this process, under the database's values where no Settings is at hand."""
    with _lock:
        _base[:] = [settings]


def current(conn: Connection) -> Settings:
    """The process's settings with the database's values over them, for code that has no Settings at hand."""
    if not _base:
        install(Settings())
    return effective(conn, _base[0], secrets=False)  # its readers (passwords, the calendar) need no secret


def site_calendar(conn: Connection) -> BusinessCalendar:
    """The working calendar of 系统设置 (working hours, 法定节假日, 调休 workdays) for working-time SLAs."""
    return calendar(current(conn))


def describe(conn: Connection, base: Settings) -> dict[str, Any]:
    """Every setting by section: its value and where it comes from; a secret only whether it is set."""
    stored = _stored(conn)
    answer: dict[str, Any] = {}
    for section, names in SECTIONS.items():
        answer[section] = {}
        for name in names:
            source = "database" if name in stored else "environment"
            if name in SECRETS:
                answer[section][name] = {
                    "secret": True,
                    "set": name in stored or bool(getattr(base, name)),
                    "source": source,
                }
            else:
                value = stored[name] if name in stored else check(name, getattr(base, name))
                answer[section][name] = {"value": value, "source": source}
    return answer


def update(conn: Connection, changes: dict[str, Any], now: datetime, by: str | None) -> dict[str, Any]:
    """Write `changes` (None: back to the environment's value), all checked before any is written; answers what
    changed for the audit log, secrets only as changed."""
    checked = {name: None if value is None else check(name, value) for name, value in changes.items()}
    sealed = {name: seal(value, _scope(name)) if name in SECRETS and value is not None else value
              for name, value in checked.items()}
    before = _stored(conn)
    revision = _revision(conn) + 1
    changed: dict[str, Any] = {}
    for name, value in sealed.items():
        if before.get(name) == value and not (name in SECRETS and value is not None):
            continue
        changed[name] = (
            {"secret": True, "set": value is not None} if name in SECRETS else {"from": before.get(name), "to": value}
        )
        conn.execute(system_settings.delete().where(system_settings.c.name == name))
        conn.execute(
            system_settings.insert().values(name=name, value=value, revision=revision, updated_at=now, updated_by=by)
        )
    forget(conn.engine)
    return changed


def reseal(conn: Connection) -> int:
    """Every stored 系统设置 secret sealed again under the current key (`tangram crypto rotate-key`); how many."""
    rows = [(n, v) for n, v in _stored(conn).items() if n in SECRETS]
    for name, value in rows:
        conn.execute(system_settings.update().where(system_settings.c.name == name)
                     .values(value=resealed(value, _scope(name))))
    forget(conn.engine)
    return len(rows)


__all__ = ["TTL_SECONDS", "current", "describe", "effective", "forget", "install", "overrides", "reseal",
           "site_calendar", "site_zone", "stale", "update"]
