"""The permission hooks the other engines call: reports take a row scope and drop hidden fields, flows
read the same rights. Both are the gate's own decisions (runtime.permissions.check), not a copy."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from engine.permissions.model import FieldAccess
from engine.permissions.rights import Operation
from runtime.permissions.check import Guard
from runtime.storage.context import Actor


def row_scope(conn: Connection, actor: Actor, app: str, form: str, op: Operation = "read", *,
              now: datetime | None = None, timezone: ZoneInfo | None = None) -> ColumnElement[bool] | None:
    """The hook for reports and flows: the records `actor` may `op` as a clause on `records` (None: all of
    them). NotFound when the actor has no right on the form, Forbidden when `op` is not granted."""
    gate = Guard(actor, now or datetime.now(UTC), timezone or ZoneInfo("Asia/Shanghai")).form(conn, app, form, op)
    return gate.where(op)


def field_access(conn: Connection, actor: Actor, app: str, form: str) -> dict[str, FieldAccess]:
    """The hook for reports and flows: every field of the form → hidden | masked | read | edit for this
    actor (a value derived from a field they do not see in full is hidden)."""
    gate = Guard(actor, datetime.now(UTC), ZoneInfo("Asia/Shanghai")).form(conn, app, form)
    return {k: gate.access(k) for k in gate.ref.form.field_keys}


__all__ = ["field_access", "row_scope"]
