"""Keeping the mirror current: a full build per form when its table is missing or its definition
changed, then incremental syncs of the records whose history moved since the last one.

"In order" on PostgreSQL: history ids are taken when a transaction writes but become visible when it
commits, so a later sync can see id 105 before id 104. The watermark therefore never skips an id
silently: every id between the old watermark and the newest one seen that is not there yet is kept
as a gap and asked for again at each sync, until it shows up or `GAP_SECONDS` pass (a rolled-back
transaction leaves a gap for ever). Applying a change means copying the record's current row, so
seeing a change twice, or late, is harmless. SQLite commits one writer at a time: no gaps arise.

Derived values change without a history row of their own (a lookup, a formula through a relation
or a rollup recomputed because another record changed): with each changed record, the records that
derive from it — found in the mirror (old relation values) and in the new values — are copied too.

Many changes (an import of 100,000 rows) are applied in parts of at most PART history rows, in id order, each
part committed to the mirror with its watermark (a DuckDB transaction of its own), so neither the rows read
and spooled nor DuckDB's open transaction ever hold all of them: what a reader sees between two parts is the
mirror as a sync of a prefix of the changes leaves it (every change up to the part's watermark applied, each
record at its current row), and a sync that stops between parts is resumed by the next one from that
watermark. `synced_at`, the moment the mirror is current as of, moves to the sync's moment with its last part
only: until then it stays the previous sync's moment, which the mirror is still at least as new as."""

from __future__ import annotations

import csv
import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, BigInteger, Connection, any_, bindparam, func, select

from engine.app import AppDefinition
from runtime.analytics.columns import (
    csv_row,
    form_columns,
    form_hash,
    pg_row_select_sql,
    pg_select_sql,
    row_columns,
    row_csv_rows,
    row_table_name,
    sub_tables,
    table_name,
)
from runtime.analytics.mirror import Mirror, SyncState
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.db.tables import live as live_records
from runtime.db.tables import record_history, records
from runtime.io.spill import give_back

log = logging.getLogger("tangram.mirror")

GAP_SECONDS = 600
"""How long a missing history id is awaited (the longest write transaction expected on PostgreSQL)."""
FIRST_WINDOW = 10_000
"""On the first build, the newest ids checked for gaps (transactions still open while the build reads)."""
_CHUNK = 5000
PART = 5000
"""History rows one part of a sync applies and commits (see the module's docstring): a bound on what a sync
holds in memory at once, the Python side's rows and DuckDB's transaction alike. At 100,000 new records a
sync's peak was +297 MiB in one part, +143 in parts of 10,000, +103 in parts of 5,000 (docs/benchmarks.md)."""


@dataclass
class SyncResult:
    """What one sync did."""

    rebuilt: list[str] = field(default_factory=list)
    changed: int = 0
    removed: int = 0
    watermark: int | None = None
    gaps: int = 0
    skipped: int = 0
    seconds: float = 0.0
    as_of: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rebuilt": self.rebuilt, "changed": self.changed, "removed": self.removed, "watermark": self.watermark,
                "gaps": self.gaps, "skipped": self.skipped, "seconds": round(self.seconds, 4),
                "as_of": self.as_of.isoformat() if self.as_of else None}


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One consistent view of the primary database for the whole sync. On SQLite through SQLite's default
    page cache (Database.small_cache), not the 64 MB a pooled connection keeps: a sync reads each changed
    record once, and after an import of 100,000 rows the full cache was ~60 MiB of the server's peak."""
    if db.dialect != "postgresql":
        with db.small_cache(), db.read() as conn:
            yield conn
        return
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _copy_records(conn: Connection, mirror: Mirror, mconn: Connection, app: str, form_key: str, name: str,
                  columns: list[Any], ids: list[int] | None = None) -> int:
    """Append the form's live records (all of them, or those of `ids`) to its table in one load; how many.
    PostgreSQL types the rows itself and COPY streams them as CSV; SQLite rows are converted in Python."""
    pg_sql = (f"COPY (SELECT {pg_select_sql(columns)} FROM records WHERE app = '{app}' AND form = '{form_key}' "
              f"AND deleted_at IS NULL AND version > 0{_pg_only(ids)}) TO STDOUT (FORMAT csv)")
    query = select(records).where(records.c.app == app, records.c.form == form_key, live_records())
    loaded = _load(conn, mirror, mconn, name, columns, pg_sql, query, ids, lambda row: [csv_row(columns, row)])
    for record_id, column in loaded.skipped:  # once per change of the record: unchanged, it is not read again
        log.warning("mirror: record %s of %s/%s left out: its %s cannot be read as %s; reports on the form "
                    "answer from the primary database", record_id, app, form_key, column,
                    next(c.duck_type for c in columns if c.name == column))
    return loaded.rows


def _copy_rows(conn: Connection, mirror: Mirror, mconn: Connection, app: str, form: Any, sub: str,
               ids: list[int] | None = None) -> int:
    """Append the rows of a sub_table of the form's live records (all, or those of `ids`) to its table; how many."""
    name, columns = row_table_name(app, form.key, sub), row_columns(form, sub)
    pg_sql = (f"COPY (SELECT {pg_row_select_sql(columns, sub)} FROM records CROSS JOIN LATERAL "
              f"jsonb_array_elements(CASE WHEN jsonb_typeof(data -> '{sub}') = 'array' THEN data -> '{sub}' "
              f"ELSE '[]'::jsonb END) AS line(value) WHERE app = '{app}' AND form = '{form.key}' "
              f"AND deleted_at IS NULL AND version > 0 AND jsonb_typeof(line.value) = 'object'{_pg_only(ids)}) "
              f"TO STDOUT (FORMAT csv)")
    query = select(records.c.id, records.c.data).where(records.c.app == app, records.c.form == form.key,
                                                       live_records())
    loaded = _load(conn, mirror, mconn, name, columns, pg_sql, query, ids, lambda row: row_csv_rows(columns, sub, row))
    for record_id, column in loaded.skipped:
        log.warning("mirror: a %s row of record %s of %s/%s left out: its %s cannot be read; reports on the form "
                    "answer from the primary database", sub, record_id, app, form.key, column)
    return loaded.rows


def _pg_only(ids: list[int] | None) -> str:
    return "" if ids is None else f" AND id = ANY('{{{','.join(str(int(i)) for i in ids)}}}'::bigint[])"


def _load(conn: Connection, mirror: Mirror, mconn: Connection, name: str, columns: list[Any], pg_sql: str,
          query: Any, ids: list[int] | None, csv_rows: Callable[[Any], Iterable[list[Any]]]) -> Any:
    """Spool the rows to a CSV file beside the mirror — PostgreSQL's COPY (`pg_sql`), or SQLite's `query` (all,
    or `ids` in chunks) turned into CSV rows by `csv_rows` — and load it into table `name` in one go."""
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False, dir=mirror.path.parent) as f:
        if conn.dialect.name == "postgresql":
            with conn.connection.driver_connection.cursor() as cur, cur.copy(pg_sql) as copy:  # type: ignore[union-attr]
                for chunk in copy:
                    f.write(bytes(chunk))
        else:
            text = io.TextIOWrapper(f, encoding="utf-8", newline="")
            writer = csv.writer(text)
            for part in [None] if ids is None else [ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)]:
                chosen = query if part is None else query.where(records.c.id.in_(part))
                for row in conn.execute(chosen.execution_options(yield_per=_CHUNK)):
                    writer.writerows(csv_rows(row))
            text.flush()
            text.detach()
    try:
        return mirror.load_csv(mconn, name, columns, Path(f.name))
    finally:
        Path(f.name).unlink(missing_ok=True)


def _row_tables(wanted: dict[str, tuple[AppDefinition, Any]]) -> dict[str, list[str]]:
    """Per mirrored form table, the names of its sub_tables' row tables."""
    return {name: [row_table_name(app.key, form.key, sub) for sub in sub_tables(form)]
            for name, (app, form) in wanted.items()}


def sync(db: Database, mirror: Mirror, now: datetime, *, full: bool = False) -> SyncResult:
    """Bring the mirror up to the primary database's committed records; `full` rebuilds every table.
    The tables to rebuild and the first part of the changes commit together, each further part on its own."""
    started = time.perf_counter()
    result = SyncResult()
    with mirror.lock, _snapshot(db) as conn:
        top = conn.scalar(select(func.max(record_history.c.id))) or 0
        wanted = {table_name(a.key, f.key): (a, f) for a in definitions.current_apps(conn) for f in a.forms}
        row_tables = _row_tables(wanted)
        with mirror.write() as mconn:
            state = mirror.state(mconn)
            dropped = set(state.tables) - set(wanted) - {n for names in row_tables.values() for n in names}
            for name in dropped:
                mirror.drop_table(mconn, name)
            # A mirror ahead of the primary belongs to another database, or to this one before a restore
            # from a backup: its watermark would hide the ids written from now on, so it starts afresh.
            first = state.watermark is None or state.watermark > top
            for name, (app, form) in wanted.items():
                digest = form_hash(form)
                if full or first or state.tables.get(name, ("", 0))[0] != digest \
                        or any(n not in state.tables for n in row_tables[name]):
                    columns = form_columns(form)
                    mirror.create_table(mconn, name, app.key, form.key, columns, digest)
                    mirror.add_rows(mconn, name, _copy_records(conn, mirror, mconn, app.key, form.key, name, columns))
                    for sub in sub_tables(form):  # a sub_table's rows: rebuilt with their records' table
                        rows = row_table_name(app.key, form.key, sub)
                        mirror.create_table(mconn, rows, app.key, form.key, row_columns(form, sub), digest)
                        mirror.add_rows(mconn, rows, _copy_rows(conn, mirror, mconn, app.key, form, sub))
                    result.rebuilt.append(name)
            if first:
                state, finished = _first_state(conn, top, now), True
                state.synced_at = now
                mirror.save_state(mconn, state)
            else:
                state, finished = _apply_changes(conn, mirror, mconn, state, wanted, now, result)
        moved = bool(dropped or result.rebuilt or result.changed or result.removed)
        while True:
            if moved:
                mirror.generation += 1  # committed: the next publication copies it (runtime/analytics/published.py)
            if finished:
                break
            give_back()  # a part's freed rows and DuckDB's load buffers, before the next part (as an import's chunks)
            before = (result.changed, result.removed)
            with mirror.write() as mconn:
                state, finished = _apply_changes(conn, mirror, mconn, state, wanted, now, result)
            moved = (result.changed, result.removed) != before
        with mirror.read() as mconn:
            result.skipped = sum(mirror.state(mconn).skipped.values())
    result.watermark, result.gaps, result.as_of = state.watermark, len(state.gaps), now
    result.seconds = time.perf_counter() - started
    mirror.last_synced_at, mirror.last_sync_seconds = now, result.seconds
    return result


def _first_state(conn: Connection, top: int, now: datetime) -> SyncState:
    """After a first full build: ids near the top that are not visible yet are awaited as gaps."""
    low = max(0, top - FIRST_WINDOW)
    seen = set(conn.scalars(select(record_history.c.id).where(record_history.c.id > low)))
    stamp = now.isoformat()
    return SyncState(top, {i: stamp for i in range(low + 1, top + 1) if i not in seen})


def _dependents(app: AppDefinition, form_key: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Forms whose stored values derive from `form_key`'s records: (form, relation field in `form_key`)
    for rollups over it, and (form, its relation field) for forms that read it through a relation."""
    rollups = [(parent.key, f.source.field) for parent, fields in app.rollups_over.get(form_key, []) for f in fields]
    readers: list[tuple[str, str]] = []
    for other in app.forms:
        derived = any(f.type in ("lookup", "formula", "rollup") for f in other.fields)
        for f in other.fields:
            if derived and f.type == "relation" and getattr(f, "target", None) == form_key \
                    and not getattr(f, "multiple", False):
                readers.append((other.key, f.key))
    return rollups, readers


def _derived(mconn: Connection, app: AppDefinition, form_key: str, ids: list[int], *, readers: bool) -> set[int]:
    """Records of other forms whose lookups, formulas or rollups may change with these records: the
    rollups' parents named by the rows in the mirror (called before the rows are replaced for the old
    parents, after for the new ones) and, with `readers`, the records reading them through a relation."""
    out: set[int] = set()
    if not ids:
        return out
    rollups, reading = _dependents(app, form_key)
    for relation in {relation for _other, relation in rollups}:
        out.update(i for i in mconn.exec_driver_sql(
            f'SELECT "{relation}" FROM "{table_name(app.key, form_key)}" WHERE id IN (SELECT unnest(?::BIGINT[]))',
            (ids,)).scalars() if i is not None)
    for other, relation in reading if readers else []:
        out.update(mconn.exec_driver_sql(f'SELECT id FROM "{table_name(app.key, other)}" '
                                         f'WHERE "{relation}" IN (SELECT unnest(?::BIGINT[]))', (ids,)).scalars())
    return out


def _among(conn: Connection, column: Any, ids: list[int]) -> Any:
    """`column` is one of `ids`: one array parameter on PostgreSQL rather than thousands of bound values."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(BigInteger)))
    return column.in_(ids)


def _changed_records(conn: Connection, ids: list[int]) -> dict[str, tuple[list[int], list[int]]]:
    """The records of these ids by mirror table: (live ids, deleted ids)."""
    out: dict[str, tuple[list[int], list[int]]] = {}
    query = select(records.c.id, records.c.app, records.c.form, live_records().label("live"))
    size = len(ids) or 1 if conn.dialect.name == "postgresql" else _CHUNK  # SQLite limits bound values
    for start in range(0, len(ids), size):
        for row in conn.execute(query.where(_among(conn, records.c.id, ids[start:start + size]))):
            live, gone = out.setdefault(table_name(row.app, row.form), ([], []))
            (live if row.live else gone).append(row.id)
    return out


def _apply_changes(conn: Connection, mirror: Mirror, mconn: Connection, state: SyncState,
                   wanted: dict[str, tuple[AppDefinition, Any]], now: datetime,
                   result: SyncResult) -> tuple[SyncState, bool]:
    """One part of a sync, saved in `mconn`'s transaction with its state: the awaited gaps that showed up
    and the next PART history rows past the watermark, in id order. The rows of their records (and of those
    deriving from them) are replaced with their current rows: per table and round, one delete of the
    changed ids and one load of the live ones. Returns the new state and whether this was the last part."""
    watermark = state.watermark or 0
    history = select(record_history.c.id, record_history.c.record_id)
    seen: dict[int, int] = {}
    if state.gaps:  # ids below the watermark: not in the range scan below
        seen.update(conn.execute(history.where(_among(conn, record_history.c.id, sorted(state.gaps)))).all())
    following = conn.execute(history.where(record_history.c.id > watermark).order_by(record_history.c.id)
                             .limit(PART)).all()
    seen.update(following)
    finished = len(following) < PART
    if not finished:  # a big sync (an import's publish) starts from a trimmed heap: what the writes before
        give_back()       # it freed sits in their threads' allocator arenas, not reused by this one
    pending = set(seen.values())
    done: set[int] = set()
    added: dict[str, int] = {}
    columns: dict[str, list[Any]] = {}
    while True:  # derived values of derived values, to the end of the chain: each record is copied once
        ids = sorted(pending - done)
        if not ids:
            break
        done.update(ids)
        pending = set()
        for start in range(0, len(ids), PART):  # a long chain's round (a rollup's children) in bounded loads too
            for name, (live, gone) in _changed_records(conn, ids[start:start + PART]).items():
                if name not in wanted:
                    continue
                app, form = wanted[name]
                if name not in columns:
                    columns[name] = form_columns(form)
                pending |= _derived(mconn, app, form.key, live + gone, readers=True)  # the rows' old values
                removed = mirror.delete_ids(mconn, name, live + gone)
                inserted = _copy_records(conn, mirror, mconn, app.key, form.key, name, columns[name], live) if live else 0
                pending |= _derived(mconn, app, form.key, live, readers=False)  # their new values
                added[name] = added.get(name, 0) + inserted - removed
                for sub in sub_tables(form):  # the records' sub_table rows, replaced with them
                    rows = row_table_name(app.key, form.key, sub)
                    gone_rows = mirror.delete_ids(mconn, rows, live + gone)
                    new_rows = _copy_rows(conn, mirror, mconn, app.key, form, sub, live) if live else 0
                    added[rows] = added.get(rows, 0) + new_rows - gone_rows
                result.changed += len(live)
                result.removed += len(gone)
        if not pending - done:
            break
    for name, delta in added.items():
        mirror.add_rows(mconn, name, delta)
    newest = max([watermark, *seen])
    stamp = now.isoformat()
    horizon = now - timedelta(seconds=GAP_SECONDS)
    gaps = {i: t for i, t in state.gaps.items() if i not in seen and datetime.fromisoformat(t) > horizon}
    # every id up to `newest` that this part did not see is not visible (the part reads in id order)
    gaps.update({i: stamp for i in range(watermark + 1, newest + 1) if i not in seen})
    state = SyncState(newest, gaps, now if finished else state.synced_at, state.tables)
    mirror.save_state(mconn, state)
    return state, finished


__all__ = ["sync", "SyncResult", "GAP_SECONDS", "PART"]
