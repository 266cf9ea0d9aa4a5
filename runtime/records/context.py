"""Who is acting and on which form: passed to every storage function that touches records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition
from engine.limits import DEFAULT, Limits


@dataclass(frozen=True)
class Actor:
    """The user a change is made for (None for the system itself)."""

    username: str | None
    user_id: int | None = None
    is_admin: bool = False
    department: str | None = None  # primary department: new records are kept by it
    ip: str | None = None  # where the request came from (audit log)
    apps: frozenset[str] | None = None  # an API token's apps (None: not limited)
    scope: str = "write"  # an API token's scope: "read" tokens cannot change anything
    via: str = "login"  # the kind of token the request came with: login | session | api
    viewed_by: str | None = None  # 查看为: the administrator viewing as this user (read-only; runtime/auth/view_as.py)


SYSTEM = Actor(None)


@dataclass(frozen=True)
class FormRef:
    """One form of one stored app version: what records of that form are made under."""

    app: AppDefinition
    version: int
    form: FormDefinition

    @property
    def app_key(self) -> str:
        return self.app.key


Readable = Callable[[Connection, str], ColumnElement[bool]]
"""(connection, form key) → the records of that form the actor may read, as a clause on `records`."""


@dataclass(frozen=True)
class Change:
    """The actor and the moment of one write, and the time zone that naive input dates are in."""

    actor: Actor
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    reads: Readable | None = field(default=None, kw_only=True)
    """The records of a form the actor may read, for the relations they write: a relation naming any
    other record is refused as if that record did not exist. None: any record (the system, flows,
    administrators). Set by the permission gate (FormGate.writing)."""
    limits: Limits = field(default=DEFAULT, kw_only=True)
    """The input limits values are checked against (the settings'; engine.limits)."""

    @property
    def ctx(self) -> ValueContext:
        return ValueContext(now=self.now, timezone=self.timezone, limits=self.limits)


def system_values(owner: str | None, created: datetime, updated: datetime, *, created_by: str | None = None,
                  record_id: int | None = None, updated_by: str | None = None) -> dict[str, Any]:
    """The record's own columns as formulas and rules read them (`owner`, `created_at` …)."""
    def moment(m: datetime) -> str:
        return m.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    return {"id": record_id, "owner": owner, "created_by": created_by or owner, "updated_by": updated_by or owner,
            "created_at": moment(created), "updated_at": moment(updated)}
