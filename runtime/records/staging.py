"""An import's records written in short transactions, invisible until one publish makes them all visible.

A long import used to store every row in one write transaction: on SQLite that held the database's
write lock for seconds (30 s at 100,000 rows) and other users' writes gave up waiting (503 `busy`).
Now the rows are stored in chunks, each its own short transaction, as *staged* records: of their
form, but at `version` 0 (STAGED_VERSION) — a stored record is at version 1 or more — and with their
batch in `updated_by` (`~import:<batch>:<n>:<when the chunk was stored>`). Every read of records asks for `version > 0` beside
`deleted_at IS NULL` (tables.live(): lists, get by id, search, exports, reports, the mirror,
relations, lookups and rollups, flows), so no reader sees a staged record and no relation can name
one. The per-form indexes take the staged rows as they are inserted — the expensive part of storing
a record on SQLite (every expression index, Chinese sort keys computed in Python) is done chunk by
chunk — and the unique indexes see their values at once: a value another writer stores meanwhile
is refused to whichever comes second, and a staged value is reserved until the import ends.

`publish` then makes the batch visible in one short transaction that moves no data through Python
and touches no index entry of the records: per set of keys, the history rows and the audit entries
are copied from the staged rows by INSERT … SELECT and the rows get version 1 and their writer by one
UPDATE of two columns no index holds; then rollups of parents and the create events (flows, webhooks), as for any create.
`<n>` numbers the distinct sets of field keys among the rows: history's `changed` and the audit
detail list them, and one set per marker lets both be a single bound value.

Nothing staged is ever visible, so a failure leaves nothing to undo for readers: the import discards
its batch (`discard`), and a batch left by a process that died (kill -9) is removed by `discard_abandoned`
once its rows have not moved for STALE_SECONDS (the job worker runs it when it starts and every hour:
without an index of its own it reads the whole table)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, String, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import Conflict
from runtime.crypto.fields import seal
from runtime.db.tables import audit_log, record_history, records
from runtime.db.types import UTCDateTime
from runtime.records import events, refresh, search
from runtime.records.context import Change, FormRef
from runtime.records.events import RecordEvent
from runtime.records.records import NewRecord, insert_records, number_new, unique_error

STAGING_PREFIX = "~import:"
"""The start of a staged record's `updated_by`; user names never start with `~`."""
STAGED_VERSION = 0
"""A staged record's version; every stored record is at 1 or more."""
STALE_SECONDS = 600
"""A staged batch whose rows have not moved for this long belongs to an import that died."""


class Batch:
    """One import's staging: its key, the marker of each set of field keys seen so far, the ids staged."""

    def __init__(self) -> None:
        self.key = secrets.token_hex(6)
        self.markers: dict[tuple[str, ...], str] = {}
        self.ids: list[int] = []

    def marker_of(self, data: dict[str, Any], staged_at: datetime) -> str:
        """`~import:<batch>:<n>:<when>`: `n` numbers the set of field keys, `when` (epoch seconds) the chunk."""
        keys = tuple(sorted(data))
        if keys not in self.markers:
            self.markers[keys] = f"{STAGING_PREFIX}{self.key}:{len(self.markers)}:"
        return f"{self.markers[keys]}{int(staged_at.timestamp())}"


def stage(conn: Connection, ref: FormRef, batch: Batch, datas: list[dict[str, Any]], change: Change,
          staged_at: datetime) -> list[NewRecord]:
    """Store one chunk of prepared rows as staged records (auto numbers given, search documents
    written) in the caller's transaction; a unique value stored meanwhile raises UniqueViolation as
    `items[i].<field>`, i within the chunk. `staged_at` (the clock now), kept in the marker, tells a
    live batch from an abandoned one."""
    number_new(conn, ref, datas, change)
    who = change.actor.username
    columns = {"app": ref.app_key, "form": ref.form.key, "version": STAGED_VERSION, "def_version": ref.version,
               "owner": who, "department": change.actor.department, "created_at": change.now, "created_by": who,
               "updated_at": change.now, "deleted_at": None}
    rows = [{"data": seal(ref.app_key, ref.form, d), "updated_by": batch.marker_of(d, staged_at), **columns}
            for d in datas]
    try:
        with conn.begin_nested():
            ids = insert_records(conn, rows, {})
    except IntegrityError as e:
        raise unique_error(conn, ref, e, datas, True) from None
    made = [NewRecord(id=i, **{**row, "data": d, "version": 1, "updated_by": who})
            for i, row, d in zip(ids, rows, datas, strict=True)]
    search.index_records(conn, ref.form, ids, datas)
    batch.ids.extend(ids)
    return made


def publish(conn: Connection, ref: FormRef, batch: Batch, made: Sequence[NewRecord], change: Change) -> None:
    """Make every staged record of the batch a stored record, with its history row and audit entry,
    then keep rollups current and publish the create event, in the caller's transaction. A batch no
    longer whole (removed as abandoned) raises Conflict."""
    if not made:
        return
    publish_rows(conn, ref, batch, len(made), change)
    announce(conn, ref, [r.id for r in made], [r.data for r in made], change)


def publish_rows(conn: Connection, ref: FormRef, batch: Batch, count: int, change: Change) -> None:
    """The first half of `publish`: the batch's `count` staged records made stored records, with their
    history rows and audit entries (moved by the database, no data through Python); `announce` then
    tells the rest of the system about them, as many at a time as the caller holds in memory."""
    if not count:
        return
    who, now = change.actor.username, change.now
    moved = 0
    for keys, marker in batch.markers.items():
        staged = (records.c.id.between(min(batch.ids), max(batch.ids)) & (records.c.version == STAGED_VERSION)
                  & records.c.updated_by.startswith(marker, autoescape=True))
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
        # version and updated_by are in no index: the rows change, no index entry does
        moved += conn.execute(update(records).where(staged).values(version=1, updated_by=who)).rowcount
    if moved != count:  # a batch idle past STALE_SECONDS was taken for abandoned and removed
        raise Conflict("导入中断过久，暂存的记录已被清理，未导入任何记录，请重新导入",
                       f"the import's staged batch has {moved} of its {count} records left (removed as "
                       "abandoned); nothing was imported, import it again")


def announce(conn: Connection, ref: FormRef, ids: list[int], datas: list[dict[str, Any]], change: Change) -> None:
    """The second half of `publish`, for some of the records it made stored (their ids and data): rollups of
    parents kept current and the create event published (flows, webhooks, duplicate keys), in the caller's
    transaction."""
    if not ids:
        return
    refresh.after_write(conn, ref.app, ref.form, ids, [{}] * len(ids), datas, change.ctx, creating=True)
    events.publish(conn, RecordEvent("create", ref, ids, [{}] * len(ids), datas, change, imported=True))


def discard(conn: Connection, ids: Sequence[int]) -> int:
    """Remove these staged records and their search documents (never a stored record); how many."""
    if not ids:
        return 0
    staged = select(records.c.id).where(records.c.id.in_(list(ids)), records.c.version == STAGED_VERSION)
    search.forget(conn, staged)
    return conn.execute(delete(records).where(records.c.id.in_(staged.scalar_subquery()))).rowcount


def abandoned(conn: Connection, now: datetime, stale_seconds: float = STALE_SECONDS) -> list[str]:
    """The keys of the staged batches whose rows have not moved for `stale_seconds` (their import died).
    Reads the whole table: no index holds the version."""
    cutoff = (now - timedelta(seconds=stale_seconds)).timestamp()
    newest: dict[str, float] = {}
    for marker in conn.scalars(select(records.c.updated_by).where(records.c.version == STAGED_VERSION)
                               .group_by(records.c.updated_by)):
        parts = str(marker).removeprefix(STAGING_PREFIX).split(":")  # batch, set of keys, epoch seconds
        if str(marker).startswith(STAGING_PREFIX) and len(parts) == 3 and parts[2].isdigit():
            newest[parts[0]] = max(newest.get(parts[0], 0.0), float(parts[2]))
    return sorted(k for k, when in newest.items() if when < cutoff)


def discard_abandoned(conn: Connection, keys: Sequence[str]) -> int:
    """Remove the staged records of these batches (from `abandoned`) and their search documents."""
    removed = 0
    for key in keys:
        staged = select(records.c.id).where(records.c.version == STAGED_VERSION, records.c.updated_by.startswith(
            f"{STAGING_PREFIX}{key}:", autoescape=True))
        search.forget(conn, staged)
        removed += conn.execute(delete(records).where(records.c.id.in_(staged.scalar_subquery()))).rowcount
    return removed


__all__ = ["Batch", "STAGED_VERSION", "STAGING_PREFIX", "STALE_SECONDS", "abandoned", "announce", "discard",
           "discard_abandoned", "publish", "publish_rows", "stage"]
