"""Connector secrets (系统设置 → 连接器密钥): named values an HTTP step uses (`{{$secret.kingdee_password}}`),
kept in the settings table beside 系统设置's own (rows `connector:<name>`), sealed as every stored secret is
(runtime/crypto/stored_secrets.py), write-only: they are
listed by name, never answered back, never written to the audit log, and read only by the job that sends."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from engine.errors import BadQuery
from runtime.crypto.stored_secrets import resealed, seal, unseal
from runtime.db.tables import system_settings

PREFIX = "connector:"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_VALUE = 8000  # a private key or a long token fits; a file does not


def _scope(name: str) -> str:
    return f"connectors/{name}"  # a ciphertext moved to another name does not decrypt


def _checked_name(name: str) -> str:
    if not NAME.match(name):
        raise BadQuery(f"连接器密钥名 {name!r} 应为小写字母开头的 a-z、0-9、_（至多 50 个字符）",
                       f"connector secret name {name!r}: lower-case a-z, 0-9 and _, starting with a letter, "
                       "at most 50 characters", field="name")
    return name


def listing(conn: Connection) -> list[dict[str, Any]]:
    """Every connector secret by name: when and by whom it was set — never its value."""
    rows = conn.execute(select(system_settings.c.name, system_settings.c.updated_at, system_settings.c.updated_by)
                        .where(system_settings.c.name.startswith(PREFIX, autoescape=True))
                        .order_by(system_settings.c.name))
    return [{"name": r.name.removeprefix(PREFIX), "set": True, "updated_at": r.updated_at.isoformat(),
             "updated_by": r.updated_by} for r in rows]


def put(conn: Connection, name: str, value: str, now: datetime, by: str | None) -> None:
    """Store (or replace) a secret, sealed; BadQuery naming it when the name or value is bad."""
    _checked_name(name)
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE:
        raise BadQuery(f"连接器密钥 {name} 的值应为 1–{MAX_VALUE} 个字符的文字",
                       f"connector secret {name}: the value must be text of 1–{MAX_VALUE} characters", field="value")
    sealed = seal(value, _scope(name))
    revision = int(conn.scalar(select(func.max(system_settings.c.revision))) or 0) + 1
    conn.execute(system_settings.delete().where(system_settings.c.name == PREFIX + name))
    conn.execute(system_settings.insert().values(name=PREFIX + name, value=sealed, revision=revision,
                                                 updated_at=now, updated_by=by))


def remove(conn: Connection, name: str) -> bool:
    """Forget a secret; whether there was one."""
    _checked_name(name)
    return bool(conn.execute(system_settings.delete().where(system_settings.c.name == PREFIX + name)).rowcount)


def reveal(conn: Connection, names: list[str]) -> dict[str, str]:
    """The values of these secrets (for the job that sends); a missing one raises, naming it."""
    if not names:
        return {}
    rows = {r.name.removeprefix(PREFIX): r.value for r in conn.execute(
        select(system_settings.c.name, system_settings.c.value)
        .where(system_settings.c.name.in_([PREFIX + n for n in names])))}
    missing = sorted(set(names) - set(rows))
    if missing:
        raise LookupError(f"connector secret(s) not set: {', '.join(missing)} (系统设置 → 连接器密钥)")
    return {name: unseal(value, _scope(name)) for name, value in rows.items()}


def reseal(conn: Connection) -> int:
    """Every connector secret sealed again under the current key (`tangram crypto rotate-key`); how many."""
    rows = conn.execute(select(system_settings.c.name, system_settings.c.value)
                        .where(system_settings.c.name.startswith(PREFIX, autoescape=True))).all()
    for row in rows:
        conn.execute(update(system_settings).where(system_settings.c.name == row.name)
                     .values(value=resealed(row.value, _scope(row.name.removeprefix(PREFIX)))))
    return len(rows)


__all__ = ["listing", "put", "remove", "reseal", "reveal"]
