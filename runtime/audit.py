"""The append-only audit log: who did what, when, from where, and what changed.

Entries are written in the transaction of the change they describe (record writes through the
`after_write` event, definition and permission changes by their routes), so a change and its entry
commit together. Failed logins are written in a transaction of their own, since the login's rolls back.
Nothing updates or deletes an entry; there is no route to do so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, func, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import BadQuery
from runtime.db.tables import audit_log
from runtime.records.bulk import insert_rows, shared_per_keys
from runtime.records.context import Actor
from runtime.records.events import RecordEvent
from runtime.records.history import versions_of

MAX_LIMIT = 500


def write(conn: Connection, action: str, actor: Actor | None, now: datetime, *, app: str | None = None,
          form: str | None = None, record_id: int | None = None, detail: dict[str, Any] | None = None,
          username: str | None = None) -> None:
    """Append one entry (`username` names the subject when there is no actor, as for a failed login)."""
    conn.execute(insert(audit_log).values(
        at=now, actor=(actor.username if actor else None) or username, action=action, app=app, form=form,
        record_id=record_id, ip=actor.ip if actor else None, detail=detail or {}))


def _changes(before: dict[str, Any], after: dict[str, Any], sealed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """What changed, from → to; an encrypted field only that it changed (the log keeps no plaintext)."""
    return {k: {"encrypted": True} if k in sealed else {"from": before.get(k), "to": after.get(k)}
            for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)}


def record_written(conn: Connection, event: RecordEvent) -> None:
    """record.create / update / delete / restore, one entry per record, in the write's transaction
    (an import's publish writes its entries itself). An update's entry names the fields and the history
    version it wrote, not their values: those are history's, and shown from there (`with_changes`)."""
    if event.imported:
        return
    actor = event.change.actor
    rows = []
    created = shared_per_keys(lambda keys: {"fields": keys})
    sealed = frozenset(f.key for f in event.ref.form.encrypted)
    versions = event.versions or [None] * len(event.ids)
    for record_id, before, after, version in zip(event.ids, event.before, event.after, versions, strict=True):
        detail: dict[str, Any] = {}
        if event.action == "create":
            detail = created(after)
        elif event.action == "update" and version is None:
            detail = {"changed": _changes(before, after, sealed)}
        elif event.action == "update":
            fields = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
            detail = {"version": version, "fields": fields} | (
                {"encrypted": [k for k in fields if k in sealed]} if sealed & set(fields) else {})
        rows.append({"at": event.change.now, "actor": actor.username, "action": f"record.{event.action}",
                     "app": event.ref.app_key, "form": event.ref.form.key, "record_id": record_id,
                     "ip": actor.ip, "detail": detail})
    insert_rows(conn, audit_log, rows)


class Entry(NamedTuple):
    """An audit_log row as read (the columns in table order)."""

    id: int
    at: datetime
    actor: str | None
    action: str
    app: str | None
    form: str | None
    record_id: int | None
    ip: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AuditQuery:
    """Filters of GET /api/v1/audit; `action` ending in "." matches a prefix (`record.`), and several
    actions separated by commas match any of them (`login,login.`: the login history)."""

    user: str | None = None
    action: str | None = None
    app: str | None = None
    form: str | None = None
    record_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    cursor: str | None = None


def checked_moment(name: str, value: datetime | None) -> datetime | None:
    """A `since` / `until` filter as given, or a 400 naming it: it needs its zone, and must fall within the
    years the databases keep once in UTC (0001-01-01 at +08:00 is in year 0)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise BadQuery(f"{name} 需要带时区（如 Z 或 +08:00）", f"{name} needs a time zone (Z or +08:00)", field=name)
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise BadQuery(f"{name} 超出可用的时间范围", f"{name} is out of range", field=name) from None
    return value


def _action_is(action: str) -> ColumnElement[bool]:
    """One action, or every action under a prefix ending in "." (ix_audit_log_action serves both)."""
    if not action.endswith("."):
        return audit_log.c.action == action
    escaped = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return audit_log.c.action.like(escaped + "%", escape="\\")


def _where(query: AuditQuery) -> list[ColumnElement[bool]]:
    c = audit_log.c
    where: list[ColumnElement[bool]] = []
    if query.user is not None:
        where.append(c.actor == query.user)
    actions = [a.strip() for a in (query.action or "").split(",") if a.strip()]
    if actions:
        where.append(or_(*(_action_is(a) for a in actions)))
    for column, value in ((c.app, query.app), (c.form, query.form), (c.record_id, query.record_id)):
        if value is not None:
            where.append(column == value)
    if query.since is not None:
        where.append(c.at >= query.since)
    if query.until is not None:
        where.append(c.at < query.until)
    if query.cursor is not None:
        if not query.cursor.isdigit():
            raise BadQuery("分页游标无效", "the cursor is malformed", field="cursor")
        where.append(c.id < int(query.cursor))
    return where


NARROW = 20_000
"""A time window with fewer entries than this is read through ix_audit_log_at and sorted by id."""


def _narrow_window(conn: Connection, query: AuditQuery) -> bool:
    """Whether the time filters leave few entries. Then sorting them is cheap, while walking the primary
    key from the newest entry back to an old week — what both planners choose for "newest first, limit
    50", not knowing that ids follow time — would pass every entry since (135 ms over 1M on PostgreSQL).
    Counting at most NARROW keys in the time index costs a few milliseconds."""
    if query.since is None or query.until is None:
        return False
    window = select(audit_log.c.id).where(audit_log.c.at >= query.since, audit_log.c.at < query.until).limit(NARROW)
    return (conn.scalar(select(func.count()).select_from(window.subquery())) or 0) < NARROW


def _time_only(query: AuditQuery) -> bool:
    """Whether the time window (and the page's cursor) is all the filter: ix_audit_log_at then holds it all."""
    return query.user is None and not query.action and query.app is None and query.form is None \
        and query.record_id is None


def search(conn: Connection, query: AuditQuery) -> tuple[list[Any], str | None]:
    """One page of entries, newest first, and the cursor of the next page (keyset on id)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadQuery(f"limit 应在 1 到 {MAX_LIMIT} 之间", f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    narrow = _narrow_window(conn, query)
    order = (audit_log.c.id + 0).desc() if narrow else audit_log.c.id.desc()
    where = _where(query)
    if narrow and _time_only(query):
        # the page's ids sorted from ix_audit_log_at (at, id) alone, then only those rows read: sorting whole
        # rows of the window read each entry's detail to keep 51
        page = select(audit_log.c.id).where(*where).order_by(order).limit(query.limit + 1).subquery()
        where = [audit_log.c.id.in_(select(page.c.id))]
        order = audit_log.c.id.desc()
    rows = list(conn.execute(select(audit_log).where(*where).order_by(order).limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = with_changes(conn, rows[: query.limit])
    return rows, str(rows[-1].id) if more else None


def with_changes(conn: Connection, rows: list[Any]) -> list[Any]:
    """Entries with each record update's `changed` (field: from → to) taken from the history versions it
    names, as it was stored before 0024; an encrypted field shows only that it changed."""
    named = [r for r in rows if r.action == "record.update" and "version" in r.detail and r.record_id is not None]
    if not named:
        return rows
    whole = {(v.record_id, v.version): v.data for v in versions_of(conn, sorted({r.record_id for r in named}))}
    ids = {r.id for r in named}
    out = []
    for row in rows:
        if row.id in ids:
            version, hidden = row.detail["version"], set(row.detail.get("encrypted", []))
            before, after = whole.get((row.record_id, version - 1), {}), whole.get((row.record_id, version), {})
            changed = {k: {"encrypted": True} if k in hidden else {"from": before.get(k), "to": after.get(k)}
                       for k in row.detail["fields"]}
            row = Entry(*row[:8], {"version": version, "changed": changed})
        out.append(row)
    return out


def entry_json(row: Row[Any], hidden: set[str] | None = None,
               shown: Callable[[str, Any], Any] | None = None) -> dict[str, Any]:
    """An entry as the API shows it; `hidden` field keys are dropped from what changed, and `shown(key,
    value)` gives each changed value as the reader may see it (masked fields masked)."""
    detail = dict(row.detail)
    if hidden:
        if "changed" in detail:
            detail["changed"] = {k: v for k, v in detail["changed"].items() if k not in hidden}
        if "fields" in detail:
            detail["fields"] = [k for k in detail["fields"] if k not in hidden]
    if shown is not None and isinstance(detail.get("changed"), dict):
        detail["changed"] = {k: {side: shown(k, v) for side, v in change.items()} if isinstance(change, dict)
                             else change for k, change in detail["changed"].items()}
    return {"id": row.id, "at": row.at.isoformat().replace("+00:00", "Z"), "user": row.actor, "action": row.action,
            "app": row.app, "form": row.form, "record_id": row.record_id, "ip": row.ip, "detail": detail}


def entries(conn: Connection, query: AuditQuery, cap: int) -> Iterator[Row[Any]]:
    """Every entry the filters match, newest first, page by page (an export), at most `cap`."""
    given = 0
    while given < cap:
        rows, cursor = search(conn, replace(query, limit=min(MAX_LIMIT, cap - given)))
        yield from rows
        given += len(rows)
        if cursor is None:
            return
        query = replace(query, cursor=cursor)


LOGIN_ACTIONS = ("login", "login.failed", "login.locked", "login.throttled")


def logins_of(conn: Connection, username: str, limit: int = 20) -> list[Row[Any]]:
    """A user's latest login attempts, successes and failures, locks and throttling (ix_audit_log_actor)."""
    return list(conn.execute(select(audit_log).where(audit_log.c.actor == username,
                                                     audit_log.c.action.in_(LOGIN_ACTIONS))
                             .order_by(audit_log.c.id.desc()).limit(limit)))


__all__ = ["AuditQuery", "LOGIN_ACTIONS", "checked_moment", "entries", "entry_json", "logins_of", "search", "write"]
