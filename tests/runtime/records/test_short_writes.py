"""One-record writes on the event loop (Database.write_now, runtime/api/writing.py): run at once when
SQLite's write lock is free, handed to a thread when it is not, and never a stalled server."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, insert, select, text

from engine.errors import Busy
from runtime.api.writing import short_write
from runtime.db.db import BUSY_SECONDS, Database, WriterBusy, open_database
from runtime.db.tables import departments, metadata
from tests.live import serve
from tests.writers import another_thread_writing, other_process_writing, writes_blocked


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/short.db", pool_size=1, max_overflow=0)  # one connection: its settings are checked
    metadata.create_all(db.engine)
    try:
        yield db
    finally:
        db.engine.dispose()


def _add(conn: Connection, key: str) -> None:
    conn.execute(insert(departments).values(key=key, name=key, created_at=datetime.now(UTC)))


def _keys(db: Database) -> set[str]:
    with db.read() as conn:
        return set(conn.scalars(select(departments.c.key)))


def test_write_now_runs_the_work_in_this_thread_and_commits_it(sqlite_db: Database) -> None:
    def work() -> int:
        with sqlite_db.write() as conn:
            _add(conn, "sales")
        return threading.get_ident()

    assert sqlite_db.write_now(work) == threading.get_ident()
    assert _keys(sqlite_db) == {"sales"}


def _another_thread_writing(db: Database) -> AbstractContextManager[threading.Event]:
    """Another thread of this process in a write transaction (adding "import") until the event it
    yields is set."""
    return another_thread_writing(db, lambda conn: _add(conn, "import"), hold_seconds=10)


def _sales_work(db: Database) -> Callable[[], int]:
    def work() -> int:
        _write_one(db, "sales")
        return threading.get_ident()
    return work


def test_write_now_refuses_while_another_thread_writes_and_runs_nothing(sqlite_db: Database) -> None:
    ran: list[bool] = []
    with _another_thread_writing(sqlite_db):
        with pytest.raises(WriterBusy):
            sqlite_db.write_now(lambda: ran.append(True))
    assert ran == []


def test_a_short_write_that_meets_another_threads_write_waits_and_then_runs_on_the_loop(sqlite_db: Database) -> None:
    """It awaits the other writer's end instead of going to a worker thread, and the loop keeps
    serving meanwhile."""
    async def main(done: threading.Event) -> tuple[int, int]:
        ticks = 0

        async def ticking() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(ticking())
        asyncio.get_running_loop().call_later(0.2, done.set)  # the other thread commits a while later
        ran_in = await short_write(sqlite_db, _sales_work(sqlite_db))
        ticker.cancel()
        return ran_in, ticks

    with _another_thread_writing(sqlite_db) as done:
        ran_in, ticks = asyncio.run(main(done))
    assert ran_in == threading.get_ident()  # the loop's thread, not a worker
    assert ticks >= 5  # the loop ran other tasks while the write waited
    assert _keys(sqlite_db) == {"import", "sales"}


def test_a_short_write_that_waited_out_the_lock_wait_on_the_loop_gives_up_busy_having_written_nothing(
        tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path}/wait.db", lock_wait=0.05)  # as if a long import held the lock
    metadata.create_all(db.engine)

    async def main() -> int:
        return await short_write(db, _sales_work(db))

    try:
        with _another_thread_writing(db):
            with pytest.raises(Busy) as refused:
                asyncio.run(main())
            assert refused.value.extra["retry_after"] > 0
        assert _keys(db) == {"import"}
        assert db._waiting == []  # the loop that gave up is not woken later
    finally:
        db.engine.dispose()


def test_write_now_refuses_at_once_while_another_process_writes_and_writes_nothing(sqlite_db: Database) -> None:
    with other_process_writing(sqlite_db):
        # Waiting would end after BUSY_SECONDS in OperationalError("database is locked"), not WriterBusy.
        with pytest.raises(WriterBusy):
            sqlite_db.write_now(lambda: _write_one(sqlite_db, "finance"))
    assert _keys(sqlite_db) == set()
    with sqlite_db.engine.connect() as conn:  # the one pooled connection waits for writers again
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == BUSY_SECONDS * 1000
    _write_one(sqlite_db, "finance")
    assert _keys(sqlite_db) == {"finance"}


def _write_one(db: Database, key: str) -> None:
    with db.write() as conn:
        _add(conn, key)


def test_a_second_write_inside_write_now_waits_for_the_lock_as_usual(sqlite_db: Database) -> None:
    # Only the first write may refuse: after it has committed, giving up would leave the work half done.
    locked, release = threading.Event(), threading.Event()

    def other_process() -> None:
        with other_process_writing(sqlite_db):
            locked.set()
            release.wait(10)

    def work() -> None:
        _write_one(sqlite_db, "sales")
        with ThreadPoolExecutor(1) as pool:
            holder = pool.submit(other_process)
            assert locked.wait(10)
            threading.Timer(0.3, release.set).start()  # let go while the second write waits
            _write_one(sqlite_db, "service")
            holder.result()

    sqlite_db.write_now(work)
    assert _keys(sqlite_db) == {"sales", "service"}


def test_a_create_waiting_for_the_lock_leaves_the_server_answering(make: Any) -> None:
    make.app_def()
    db: Database = make.app.state.db
    with serve(make.app) as base, httpx.Client(base_url=base, headers=make.admin, timeout=BUSY_SECONDS / 2) as http, \
            ThreadPoolExecutor(1) as pool:
        with writes_blocked(db):
            pending = pool.submit(http.post, make.url(), json={"data": {"name": "等锁的客户"}})
            answers = []
            for _ in range(10):  # a loop stuck in the create would time these out
                answers.append(http.get("/api/v1/health").status_code)
                time.sleep(0.05)
            assert answers == [200] * 10
            assert not pending.done()  # the create was waiting for the lock all along
        created = pending.result()
    assert created.status_code == 201, created.text
    stored = make.client.get(f"{make.url()}/{created.json()['id']}", headers=make.admin).json()
    assert stored["data"]["name"] == "等锁的客户"
