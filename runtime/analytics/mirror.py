"""The analytics mirror: a DuckDB file with one typed table per form, and the sync state beside them.

The state lives in the same file as the data (`_tangram_forms`: each table's definition hash and
row count; `_tangram_sync`: the history watermark, the gaps still awaited and the time of the last
sync), so a crash can never leave data and watermark out of step: each sync commits both at once.
`_tangram_skipped` lists the records whose row could not be copied (a value the column's type cannot
read): the sync leaves them out and goes on, and reports answer from the primary database for a form
that has any (run.choose), so the two engines never disagree."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from runtime.analytics.columns import MirrorColumn

_STATE = (
    "CREATE TABLE IF NOT EXISTS _tangram_forms (name VARCHAR PRIMARY KEY, app VARCHAR, form VARCHAR, hash VARCHAR, "
    "row_count BIGINT)",
    "CREATE TABLE IF NOT EXISTS _tangram_sync (id INTEGER PRIMARY KEY, watermark BIGINT, gaps VARCHAR, "
    "synced_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS _tangram_skipped (name VARCHAR, id BIGINT, reason VARCHAR)",
)


@dataclass
class SyncState:
    """How far the mirror has read record_history: every id ≤ watermark is applied except `gaps`
    (ids not yet seen: rolled back, or still in a transaction on PostgreSQL), each with when it was first missed."""

    watermark: int | None = None
    gaps: dict[int, str] = field(default_factory=dict)
    synced_at: datetime | None = None
    tables: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (hash, rows)
    skipped: dict[str, int] = field(default_factory=dict)  # name -> records left out (Mirror.load_csv)


@dataclass
class Loaded:
    """What one load did: rows appended, and the (record id, column) of each row left out."""

    rows: int
    skipped: list[tuple[int, str]]


def read_state(conn: Connection) -> SyncState:
    """The sync state stored in a mirror file (the owner's, or a published copy)."""
    row = conn.execute(text("SELECT watermark, gaps, synced_at FROM _tangram_sync WHERE id = 1")).first()
    tables = {r.name: (r.hash, r.row_count) for r in conn.execute(text("SELECT * FROM _tangram_forms"))}
    skipped = dict(conn.execute(text("SELECT name, count(*) FROM _tangram_skipped GROUP BY name")).all())
    if row is None:
        return SyncState(tables=tables, skipped=skipped)
    gaps = {int(k): v for k, v in json.loads(row.gaps or "{}").items()}
    return SyncState(row.watermark, gaps, row.synced_at, tables, skipped)


def set_up(engine: Engine, memory_limit: str) -> None:
    """Each new connection of a mirror's engine (the owner's file or a published copy): naive TIMESTAMPs are
    UTC (zones come from the app), and DuckDB's memory limit for its database (one setting per database,
    which every connection to it shares): its buffer pool, beyond which it evicts blocks and spills to its
    temporary directory (`<file>.tmp`); '' keeps DuckDB's own default, 80 % of the machine's memory."""

    @event.listens_for(engine, "connect")
    def _connected(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("SET TimeZone = 'UTC'")
        if memory_limit:
            dbapi_conn.execute(f"SET memory_limit = '{memory_limit}'")  # validated by Settings.mirror_memory_limit


class Mirror:
    """One DuckDB file, opened for writing by its owner alone; writes (syncs) are serialised by a lock,
    reads run beside them. Other processes read a published copy (runtime/analytics/published.py)."""

    owned = True

    def __init__(self, path: Path, memory_limit: str = "") -> None:
        self.path = path
        self.memory_limit = memory_limit
        """DuckDB's memory_limit for this file's connections (settings.mirror_memory_limit); '' DuckDB's own."""
        self.lock = threading.Lock()  # held by a sync
        self.generation = 0
        """Syncs that changed the data, in this process: the publisher copies the file when it moves."""
        # This process's last sync (sync() sets them), for /metrics: read without opening the file.
        self.last_synced_at: datetime | None = None
        self.last_sync_seconds: float | None = None
        self._opening = threading.Lock()
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        with self._opening:
            return self._open()

    def _open(self) -> Engine:
        if self._engine is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(f"duckdb:///{self.path}", query_cache_size=0)  # see mirror_source._exact_decimal
            set_up(engine, self.memory_limit)
            with engine.begin() as conn:
                for statement in _STATE:
                    conn.exec_driver_sql(statement)
            self._engine = engine
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def state(self, conn: Connection) -> SyncState:
        return read_state(conn)

    def as_of(self) -> datetime | None:
        """The moment of the last sync (UTC), None before the first."""
        with self.read() as conn:
            synced = conn.execute(text("SELECT synced_at FROM _tangram_sync WHERE id = 1")).scalar()
        return synced.replace(tzinfo=UTC) if synced else None

    def save_state(self, conn: Connection, state: SyncState) -> None:
        conn.execute(text("DELETE FROM _tangram_sync"))
        conn.execute(text("INSERT INTO _tangram_sync VALUES (1, :w, :g, :s)"),
                     {"w": state.watermark, "g": json.dumps({str(k): v for k, v in state.gaps.items()}),
                      "s": state.synced_at.replace(tzinfo=None) if state.synced_at else None})

    def create_table(self, conn: Connection, name: str, app: str, form: str, columns: list[MirrorColumn],
                     digest: str) -> None:
        body = ", ".join(f'"{c.name}" {c.duck_type}' for c in columns)
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE TABLE "{name}" ({body})')
        conn.execute(text("DELETE FROM _tangram_forms WHERE name = :n"), {"n": name})
        conn.execute(text("DELETE FROM _tangram_skipped WHERE name = :n"), {"n": name})
        conn.execute(text("INSERT INTO _tangram_forms VALUES (:n, :a, :f, :h, 0)"),
                     {"n": name, "a": app, "f": form, "h": digest})

    def drop_table(self, conn: Connection, name: str) -> None:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
        conn.execute(text("DELETE FROM _tangram_forms WHERE name = :n"), {"n": name})
        conn.execute(text("DELETE FROM _tangram_skipped WHERE name = :n"), {"n": name})

    def load_csv(self, conn: Connection, name: str, columns: list[MirrorColumn], path: Path) -> Loaded:
        """Append the rows of a CSV file (all text, written by csv_row or PostgreSQL's COPY).

        A row whose value a column's type cannot read would fail the whole load, and with it the
        transaction (DuckDB aborts it): the rows are staged as text first, the unreadable ones found
        with TRY and left out, and recorded in `_tangram_skipped`; the others load."""
        size = path.stat().st_size
        if size == 0:
            return Loaded(0, [])
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns)))
        # max_line_size: DuckDB's default (2 MB) refused every row holding a long text, for ever
        conn.exec_driver_sql(
            f"CREATE OR REPLACE TEMP TABLE _tangram_load AS SELECT * FROM read_csv('{path}', header = false, "
            f"delim = ',', all_varchar = true, allow_quoted_nulls = false, quote = '\"', escape = '\"', "
            f"max_line_size = {max(size + 1, 2 << 20)}, columns = {{{spec}}})")
        checked = [(c, f"(c{i} IS NOT NULL AND TRY({c.load_sql(f'c{i}')}) IS NULL)") for i, c in enumerate(columns)
                   if c.duck_type != "VARCHAR" and not c.duck_type.startswith("DECIMAL")]  # decimals: TRY_CAST
        unreadable = " OR ".join(check for _, check in checked) or "false"
        which = "CASE " + " ".join(f"WHEN {check} THEN '{c.name}'" for c, check in checked) + " END" if checked else "''"
        skipped = [(int(r[0]), str(r[1])) for r in conn.exec_driver_sql(
            f"SELECT CAST(c0 AS BIGINT), {which} FROM _tangram_load WHERE {unreadable}").all()]
        casts = ", ".join(c.load_sql(f"c{i}") for i, c in enumerate(columns))
        conn.exec_driver_sql(f'INSERT INTO "{name}" SELECT {casts} FROM _tangram_load WHERE NOT ({unreadable})')
        staged = int(conn.exec_driver_sql("SELECT count(*) FROM _tangram_load").scalar_one())
        conn.exec_driver_sql("DROP TABLE _tangram_load")
        for record_id, column in skipped:
            conn.execute(text("INSERT INTO _tangram_skipped VALUES (:n, :i, :r)"), {"n": name, "i": record_id, "r": column})
        return Loaded(staged - len(skipped), skipped)

    def delete_ids(self, conn: Connection, name: str, ids: list[int]) -> int:
        """Remove these records' rows in one statement (a join on the bound list, not an IN list); how many."""
        if not ids:
            return 0
        conn.exec_driver_sql("DELETE FROM _tangram_skipped WHERE name = ? AND id IN (SELECT unnest(?::BIGINT[]))",
                             (name, [*ids]))
        result = conn.exec_driver_sql(f'DELETE FROM "{name}" WHERE id IN (SELECT unnest(?::BIGINT[]))', ([*ids],))
        return int(result.rowcount)

    def count_rows(self, conn: Connection, name: str) -> None:
        conn.execute(text(f'UPDATE _tangram_forms SET row_count = (SELECT count(*) FROM "{name}") WHERE name = :n'),
                     {"n": name})

    def add_rows(self, conn: Connection, name: str, delta: int) -> None:
        """Keep the row count by arithmetic: the rows a sync inserted minus those it deleted."""
        if delta:
            conn.execute(text("UPDATE _tangram_forms SET row_count = row_count + :d WHERE name = :n"),
                         {"d": delta, "n": name})


__all__ = ["Mirror", "SyncState", "Loaded", "read_state", "set_up"]
