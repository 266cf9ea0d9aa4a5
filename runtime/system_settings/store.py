"""The settings store: the database's values over the environment's, read through a per-process cache that
checks the store's revision (one small query) so a change applies to the next request or job in every
process, without a restart."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from engine.errors import BadQuery, EncryptionKeyMissing
from engine.flows.calendar import BusinessCalendar
from runtime.crypto import keyring
from runtime.db.tables import system_settings
from runtime.settings import Settings
from runtime.system_settings.catalog import NAMES, SECRETS, SECTIONS, calendar, check, typed

_lock = threading.Lock()
_base: list[Settings] = []  # the process's environment settings (the server installs its own at start-up)
_cache: dict[int, tuple[int, dict[str, Any]]] = {}  # id(engine) → (revision, overrides, secrets decrypted)


def _scope(name: str) -> str:
    return f"settings/{name}"  # the ciphertext is bound to its setting: moved to another it does not decrypt


def _revision(conn: Connection) -> int:
    return int(conn.scalar(select(func.max(system_settings.c.revision))) or 0)


def _stored(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(
        select(system_settings.c.name, system_settings.c.value).where(system_settings.c.value.is_not(None))
    ).all()
    return {r.name: r.value for r in rows if r.name in NAMES}


def overrides(conn: Connection) -> dict[str, Any]:
    """The values set in the database, typed (secrets still sealed), cached until the store's revision moves."""
    revision, key = _revision(conn), id(conn.engine)
    with _lock:
        cached = _cache.get(key)
    if cached and cached[0] == revision:
        return cached[1]
    values = {n: v if n in SECRETS else typed(n, v) for n, v in _stored(conn).items()}
    with _lock:
        _cache[key] = (revision, values)
    return values


def effective(conn: Connection, base: Settings, *, secrets: bool = True) -> Settings:
    """`base` (the environment's settings) with the database's values over it; `secrets=False` leaves the stored
    secrets out (the environment's stay), for readers that need none — they then work without the key too."""
    found = {
        n: keyring.current().decrypt(v, _scope(n)) if n in SECRETS else v
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
    sealed: dict[str, Any] = {}
    for name, value in checked.items():
        if name in SECRETS and value is not None:
            try:
                sealed[name] = keyring.current().encrypt(value, _scope(name))
            except EncryptionKeyMissing:
                raise BadQuery(
                    f"设置 {name}：保存密钥类设置需要先配置加密密钥（TANGRAM_ENCRYPTION_KEY）",
                    f"setting {name}: storing a secret needs an encryption key (TANGRAM_ENCRYPTION_KEY)",
                    field=name,
                ) from None
        else:
            sealed[name] = value
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
    return changed


__all__ = ["current", "describe", "effective", "install", "overrides", "site_calendar", "update"]
