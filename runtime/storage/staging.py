"""An import's records written in short transactions, invisible until one publish makes them all visible.

A long import used to store every row in one write transaction: on SQLite that held the database's
write lock for seconds (30 s at 100,000 rows) and other users' writes gave up waiting (503 `busy`).
Now the rows are stored in chunks, each its own short transaction, as records of a *staging form*
`~import:<batch>:<n>` (STAGING_PREFIX): every read of records names its form (lists, get by id,
search — whose candidates are filtered by form —, exports, reports, the mirror, relations, flows), and
no form key can start with `~`, so a staged record is seen by none of them and named by no relation.
The per-form indexes are partial on the form too: staged records take no unique value yet.

`publish` then makes the batch visible in one transaction that moves no data through Python: per
staging form, the history rows and the audit entries are copied from the staged rows by
INSERT … SELECT and the rows are moved to their form by one UPDATE — which is when the unique indexes
see them (a value another writer stored meanwhile is refused there, and the whole batch with it). Then
rollups of parents and the create events (flows, webhooks) follow, as for any create. `<n>` numbers
the distinct sets of field keys among the rows: history's `changed` and the audit detail list them,
and one set per staging form lets both be a single bound value.

Nothing staged is ever visible, so a failure leaves nothing to undo for readers: the import discards
its batch (`discard`), and a batch left by a process that died (kill -9) is removed by `discard_abandoned`
once its rows have not moved for STALE_SECONDS (the job worker runs it in its first round and every
minute with the schedules)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, String, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from runtime.crypto.fields import seal
from runtime.storage import derived, events, search
from runtime.storage.context import Change, FormRef
from runtime.storage.events import RecordEvent
from runtime.storage.records import NewRecord, insert_records, number_new, unique_error
from runtime.storage.tables import apps, audit_log, record_history, records
from runtime.storage.types import UTCDateTime

STAGING_PREFIX = "~import:"
"""The start of every staging form; form keys are snake_case identifiers, never starting with `~`."""
STALE_SECONDS = 600
"""A staged batch whose rows have not moved for this long belongs to an import that died."""


class Batch:
    """One import's staging: its marker and the staging form of each set of field keys seen so far."""

    def __init__(self) -> None:
        self.key = secrets.token_hex(6)
        self.forms: dict[tuple[str, ...], str] = {}
        self.ids: list[int] = []

    def form_of(self, data: dict[str, Any]) -> str:
        keys = tuple(sorted(data))
        if keys not in self.forms:
            self.forms[keys] = f"{STAGING_PREFIX}{self.key}:{len(self.forms)}"
        return self.forms[keys]


def stage(conn: Connection, ref: FormRef, batch: Batch, datas: list[dict[str, Any]], change: Change,
          staged_at: datetime) -> list[NewRecord]:
    """Store one chunk of prepared rows as staged records (auto numbers given, search documents
    written) in the caller's transaction. `staged_at` (the clock now) tells a live batch from an
    abandoned one; publish sets the records' times to the import's."""
    number_new(conn, ref, datas, change)
    who = change.actor.username
    columns = {"app": ref.app_key, "version": 1, "def_version": ref.version, "owner": who,
               "department": change.actor.department, "created_at": change.now, "created_by": who,
               "updated_at": staged_at, "updated_by": who, "deleted_at": None}
    rows = [{"data": seal(ref.app_key, ref.form, d), "form": batch.form_of(d), **columns} for d in datas]
    ids = insert_records(conn, rows, {})
    made = [NewRecord(id=i, **{**row, "data": d, "form": ref.form.key, "updated_at": change.now})
            for i, row, d in zip(ids, rows, datas, strict=True)]
    search.index_records(conn, ref.form, [r.id for r in made], datas)
    batch.ids.extend(r.id for r in made)
    return made


def publish(conn: Connection, ref: FormRef, batch: Batch, made: Sequence[NewRecord], change: Change) -> None:
    """Make every staged record of the batch a record of its form, with its history row and audit
    entry, then keep rollups current and publish the create event, in the caller's transaction.
    A unique value another writer stored since the rows were checked raises UniqueViolation by item;
    a batch no longer whole (removed as abandoned) raises StagingLost."""
    if not made:
        return
    who, now = change.actor.username, change.now
    datas = [r.data for r in made]
    savepoint = conn.begin_nested()
    try:
        moved = 0
        for keys, form in batch.forms.items():
            staged = (records.c.app == ref.app_key) & (records.c.form == form)
            conn.execute(insert(record_history).from_select(
                ["record_id", "version", "action", "changed", "data", "at", "by"],
                select(records.c.id, literal(1, Integer), literal("create", String),
                       literal(list(keys), record_history.c.changed.type), records.c.data,
                       literal(now, UTCDateTime), literal(who, String)).where(staged).order_by(records.c.id)))
            conn.execute(insert(audit_log).from_select(
                ["at", "actor", "action", "app", "form", "record_id", "ip", "detail"],
                select(literal(now, UTCDateTime), literal(who, String), literal("record.create", String),
                       literal(ref.app_key, String), literal(ref.form.key, String), records.c.id,
                       literal(change.actor.ip, String), literal({"fields": list(keys)}, audit_log.c.detail.type))
                .where(staged).order_by(records.c.id)))
            moved += conn.execute(update(records).where(staged).values(form=ref.form.key, updated_at=now)).rowcount
    except IntegrityError as e:  # a unique value stored by another writer since the check
        savepoint.rollback()
        raise unique_error(conn, ref, e, datas, True) from None
    except BaseException:
        savepoint.rollback()
        raise
    if moved != len(made):
        savepoint.rollback()
        raise StagingLost(f"staged batch {batch.key} has {moved} of its {len(made)} records")
    savepoint.commit()
    ids = [r.id for r in made]
    derived.after_write(conn, ref.app, ref.form, ids, [{}] * len(ids), datas, change.ctx, creating=True)
    events.publish(conn, RecordEvent("create", ref, ids, [{}] * len(ids), datas, change, imported=True))


class StagingLost(Exception):
    """The batch's staged records are no longer all there (discarded as abandoned meanwhile)."""


def discard(conn: Connection, app: str, ids: Sequence[int]) -> int:
    """Remove these staged records and their search documents (never a published record); how many."""
    if not ids:
        return 0
    staged = select(records.c.id).where(records.c.app == app, records.c.id.in_(list(ids)), _is_staged())
    search.forget(conn, staged)
    return conn.execute(delete(records).where(records.c.id.in_(staged.scalar_subquery()))).rowcount


def discard_abandoned(conn: Connection, now: datetime, stale_seconds: float = STALE_SECONDS) -> int:
    """Remove the staged batches whose rows have not moved for `stale_seconds` (their import died);
    how many records. One index range per app: cheap enough to run every few minutes."""
    cutoff = now - timedelta(seconds=stale_seconds)
    removed = 0
    for app in list(conn.scalars(select(apps.c.key))):
        of_app = (records.c.app == app) & _is_staged()
        forms = conn.execute(select(records.c.form, func.max(records.c.updated_at)).where(of_app)
                             .group_by(records.c.form)).all()
        batches: dict[str, datetime] = {}
        for form, moved in forms:
            key = form.split(":")[1]
            batches[key] = max(batches.get(key, moved), moved)
        for key, moved in batches.items():
            if moved < cutoff:
                staged = select(records.c.id).where(of_app, records.c.form.startswith(f"{STAGING_PREFIX}{key}:",
                                                                                      autoescape=True))
                search.forget(conn, staged)
                removed += conn.execute(delete(records).where(records.c.id.in_(staged.scalar_subquery()))).rowcount
    return removed


def _is_staged() -> Any:
    # A range rather than LIKE: the (app, form, id) index serves it on both databases (on PostgreSQL
    # the index is of live records; staged ones are never deleted).
    return (records.c.form >= STAGING_PREFIX) & (records.c.form < STAGING_PREFIX[:-1] + ";") \
        & records.c.deleted_at.is_(None)


__all__ = ["Batch", "STAGING_PREFIX", "STALE_SECONDS", "StagingLost", "discard", "discard_abandoned", "publish",
           "stage"]
