"""The analytics mirror: a DuckDB file with one typed table per form, and the sync state beside them.

The state lives in the same file as the data (`_tangram_forms`: each table's definition hash and
row count; `_tangram_sync`: the history watermark, the gaps still awaited and the time of the last
sync), so a crash can never leave data and watermark out of step: each sync commits both at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

from runtime.analytics.columns import MirrorColumn

_STATE = (
    "CREATE TABLE IF NOT EXISTS _tangram_forms (name VARCHAR PRIMARY KEY, app VARCHAR, form VARCHAR, hash VARCHAR, "
    "row_count BIGINT)",
    "CREATE TABLE IF NOT EXISTS _tangram_sync (id INTEGER PRIMARY KEY, watermark BIGINT, gaps VARCHAR, "
    "synced_at TIMESTAMP)",
)


@dataclass
class SyncState:
    """How far the mirror has read record_history: every id ≤ watermark is applied except `gaps`
    (ids not yet seen: rolled back, or still in a transaction on PostgreSQL), each with when it was first missed."""

    watermark: int | None = None
    gaps: dict[int, str] = field(default_factory=dict)
    synced_at: datetime | None = None
    tables: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (hash, rows)


class Mirror:
    """One DuckDB file; writes (syncs) are serialised by a lock, reads run beside them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()  # held by a sync
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

            @event.listens_for(engine, "connect")
            def _utc(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.execute("SET TimeZone = 'UTC'")  # naive TIMESTAMPs are UTC; zones come from the app

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
        row = conn.execute(text("SELECT watermark, gaps, synced_at FROM _tangram_sync WHERE id = 1")).first()
        tables = {r.name: (r.hash, r.row_count) for r in conn.execute(text("SELECT * FROM _tangram_forms"))}
        if row is None:
            return SyncState(tables=tables)
        gaps = {int(k): v for k, v in json.loads(row.gaps or "{}").items()}
        return SyncState(row.watermark, gaps, row.synced_at, tables)

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
        conn.execute(text("INSERT INTO _tangram_forms VALUES (:n, :a, :f, :h, 0)"),
                     {"n": name, "a": app, "f": form, "h": digest})

    def drop_table(self, conn: Connection, name: str) -> None:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}"')
        conn.execute(text("DELETE FROM _tangram_forms WHERE name = :n"), {"n": name})

    def load_csv(self, conn: Connection, name: str, columns: list[MirrorColumn], path: Path) -> int:
        """Append the rows of a CSV file (all text, written by csv_row or PostgreSQL's COPY); how many."""
        if path.stat().st_size == 0:
            return 0
        spec = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns)))
        casts = ", ".join(c.load_sql(f"c{i}") for i, c in enumerate(columns))
        result = conn.exec_driver_sql(
            f"INSERT INTO \"{name}\" SELECT {casts} FROM read_csv('{path}', header = false, delim = ',', "
            f"all_varchar = true, allow_quoted_nulls = false, quote = '\"', escape = '\"', columns = {{{spec}}})")
        return int(result.rowcount)

    def delete_ids(self, conn: Connection, name: str, ids: list[int]) -> int:
        """Remove these records' rows in one statement (a join on the bound list, not an IN list); how many."""
        if not ids:
            return 0
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


__all__ = ["Mirror", "SyncState"]
