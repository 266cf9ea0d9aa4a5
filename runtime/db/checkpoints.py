"""SQLite's WAL checkpoints and search-index merges, moved out of the writers into a thread of the server.

By default the writer whose commit takes the WAL past 1,000 pages copies the WAL into the database
file and syncs both, inside its commit. A one-record create appends 24–32 pages, so every thirty-
to-fortieth create stalled for 10–130 ms (on the event loop, where one-record writes run: see
runtime/api/writing.py), and the average commit cost four times its median. Here a thread runs a
PASSIVE checkpoint every CHECKPOINT_SECONDS instead: it never waits for readers or writers, and
SQLite leaves Python's lock while it copies and syncs. Writers keep an automatic checkpoint only
as a backstop (db.AUTOCHECKPOINT_PAGES) for processes without this thread (the CLI) or should it fall
behind. The same thread merges the search index's segments, which FTS5 would otherwise merge inside
the writers' commits (runtime/records/search.py, stop_automerge). bench/records.py measures the
effect on single creates."""

from __future__ import annotations

import logging
import threading
from typing import Any

from runtime.db.db import Database, sqlite_module
from runtime.records import search

log = logging.getLogger("tangram.checkpoints")

CHECKPOINT_SECONDS = 1.0
"""Between two checkpoints. A page written many times in that time (an index leaf, the search
index) is copied once: at 1M customers single creates did 618–672/s against 493–617/s with 0.25 s,
the same at 100k. A create appends 24–32 pages to the WAL, so above about 350 creates a second the
backstop also checkpoints in a commit now and then, as measured. A checkpoint with nothing new to
copy costs a few system calls."""


class Checkpointer:
    """A daemon thread checkpointing a SQLite file database's WAL; a no-op for PostgreSQL and :memory:."""

    def __init__(self, db: Database, seconds: float = CHECKPOINT_SECONDS) -> None:
        self.db = db
        self.seconds = seconds
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.runs = 0

    @property
    def applies(self) -> bool:
        return self.db.dialect == "sqlite" and self.db.engine.url.database not in (None, "", ":memory:")

    def start(self) -> Checkpointer:
        if self.applies and self.thread is None:
            self.thread = threading.Thread(target=self._run, name="tangram-wal-checkpoint", daemon=True)
            self.thread.start()
        return self

    def _connect(self) -> Any:
        """A connection of the checkpointer's own, outside the engine's pool: it never keeps a request
        waiting for a pooled connection."""
        return sqlite_module().connect(self.db.engine.url.database, isolation_level=None, check_same_thread=False)

    def _run(self) -> None:
        conn = self._connect()
        try:
            while not self.stop.wait(self.seconds):
                try:
                    self.run_once(conn)
                except Exception as e:  # loses nothing: the WAL keeps its pages, the index its segments; retry
                    log.warning("SQLite maintenance failed: %s", e)
        finally:
            conn.close()

    def run_once(self, conn: Any) -> None:
        """Merge some of the search index's segments (a short write, queued with the others), then
        checkpoint the WAL, merged pages included. A failed merge leaves the checkpoint to run."""
        try:
            with self.db.write() as writing:
                search.merge(writing)
        except Exception as e:  # the segments stay as they are, all of them searched: retried next time
            log.warning("search index merge failed: %s", e)
        checkpoint(conn)
        self.runs += 1

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()
            self.thread = None


def checkpoint(conn: Any) -> tuple[int, int, int]:
    """One PASSIVE checkpoint: (1 if it could not finish, frames in the WAL, frames copied to the database)."""
    busy, frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return busy, frames, copied


__all__ = ["CHECKPOINT_SECONDS", "Checkpointer", "checkpoint"]
