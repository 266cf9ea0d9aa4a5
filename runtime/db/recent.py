"""Values read from the database a moment ago, kept so that a busy client costs one read, not one a request.

An entry is trusted for `seconds` at most. Any SQLAlchemy statement of this process that writes one of
the watched tables empties the cache, on the statement and again when its connection goes back to the
pool, after the commit or rollback; a read begun before either is not kept, nor one made by the writing
transaction itself, which may yet roll back. So a change made through this process takes effect from
the next request, and one made by another process (a second worker, the CLI) within `seconds`.
Statements sent straight to the driver (runtime/db/driver.py) are record writes only: they never
write a watched table.

Why a bound on trust rather than a signal between processes. Any number of processes write one database
(`tangram serve --workers N`, servers on several machines, `tangram worker`, the CLI, an operator's psql).
Trusting no cached read longer than a second keeps every one of them within a second of the database with
nothing else to get right: no change counter that every write path (driver statements, migrations, psql)
must remember to bump, no listening connection per process (PostgreSQL's LISTEN/NOTIFY, which SQLite lacks,
so it would need this polling as its fallback anyway), no notification lost across a reconnect. It costs one
read a second per hot key and process (a token, an app's current version), against one a request without
the cache. The same bound, as one revision query a second, keeps 系统设置 (runtime/system_settings/store.py).
"""

from __future__ import annotations

from collections.abc import Hashable
from time import monotonic
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql.dml import UpdateBase

K = TypeVar("K")
V = TypeVar("V")

SECONDS = 1.0
MAX_ENTRIES = 10_000


class RecentReads(Generic[K, V]):
    """key → a value read from the watched tables, with when it was read."""

    def __init__(self, tables: frozenset[str], seconds: float = SECONDS) -> None:
        self.tables = tables
        self.seconds = seconds
        self._entries: dict[Hashable, tuple[V, float]] = {}
        self.generation = 0  # counts clears: a read begun before one must not be kept
        self._wrote = f"recent_reads_wrote_{id(self)}"  # conn.info / pool record flag: wrote a watched table

    def _key(self, key: K) -> Hashable:
        return key  # type: ignore[return-value]

    def get(self, key: K) -> V | None:
        entry = self._entries.get(self._key(key))
        if entry is None or monotonic() - entry[1] >= self.seconds:
            return None
        return entry[0]

    def put(self, key: K, value: V, generation: int, conn: Connection | None = None) -> None:
        """Keep what a read begun at `generation` found, unless the cache was cleared since or `conn`,
        the reading transaction, wrote a watched table (what it read may never be committed)."""
        if generation != self.generation or (conn is not None and conn.info.get(self._wrote)):
            return
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[self._key(key)] = (value, monotonic())

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def watch(self, engine: Engine) -> RecentReads[K, V]:
        """Empty the cache whenever a statement on `engine` writes a watched table, and again when its
        connection is checked back in (a read between the two saw the old row)."""
        def after_execute(conn: Connection, statement: Any, *_: Any) -> None:
            if isinstance(statement, UpdateBase) and getattr(statement.table, "name", None) in self.tables:
                conn.info[self._wrote] = True
                self.clear()

        def checkin(_dbapi: Any, record: Any) -> None:
            if record is not None and record.info.pop(self._wrote, False):
                self.clear()

        event.listen(engine, "after_execute", after_execute)
        event.listen(engine.pool, "checkin", checkin)
        return self


__all__ = ["RecentReads", "SECONDS", "MAX_ENTRIES"]
