"""Another writer holding the database's locks, for tests of what writes do meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy import Connection, text

from runtime.db.db import Database, sqlite_module


@contextmanager
def other_process_writing(db: Database) -> Iterator[None]:
    """SQLite's write lock held by a connection of its own, as another process (the CLI) holds it."""
    other = sqlite_module().connect(db.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("COMMIT")
        other.close()


@contextmanager
def writes_blocked(db: Database, tables: tuple[str, ...] = ("records",)) -> Iterator[None]:
    """Writes wait until the block ends: SQLite's write lock, or on PostgreSQL a lock on `tables`
    that lets others read them but not write (SHARE ROW EXCLUSIVE)."""
    if db.dialect == "sqlite":
        with other_process_writing(db):
            yield
        return
    with db.engine.connect() as conn, conn.begin():
        conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE"))
        yield


@contextmanager
def another_thread_writing(db: Database, work: Callable[[Connection], object] = lambda conn: None,
                           hold_seconds: float = 30) -> Iterator[threading.Event]:
    """A thread of this process in a write transaction, as a long import's write step is: it does `work`,
    then holds the transaction until the event it yields is set (or the block ends)."""
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with db.write() as conn:
            work(conn)
            holding.set()
            done.wait(hold_seconds)

    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(hold)
        assert holding.wait(10)
        try:
            yield done
        finally:
            done.set()
            held.result()
