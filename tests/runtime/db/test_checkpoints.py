"""SQLite's WAL checkpoints and search-index merges run in a thread of the server, not inside a writer's
commit (storage.checkpoints)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from runtime.apps import definitions
from runtime.db.checkpoints import Checkpointer, checkpoint
from runtime.db.db import AUTOCHECKPOINT_PAGES, Database, open_database, sqlite_module
from runtime.records import records, search
from runtime.records.context import Actor, Change
from tests.backends import fresh_database
from tests.factories import repair

PAGE = 4096


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/wal.db")
    with db.write() as conn:
        conn.execute(text("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)"))
    try:
        yield db
    finally:
        db.engine.dispose()


def _commit_pages(db: Database, pages: int) -> None:
    """About `pages` pages of new rows, each page in a transaction of its own (as one-record creates)."""
    for _ in range(pages):
        with db.write() as conn:
            conn.execute(text("INSERT INTO blobs (body) VALUES (randomblob(:n))"), {"n": PAGE - 200})


def _file_pages(db: Database) -> int:
    return Path(db.engine.url.database).stat().st_size // PAGE


def _own_connection(db: Database) -> Any:
    return sqlite_module().connect(db.engine.url.database, isolation_level=None)


def test_a_writer_leaves_the_wal_to_the_checkpointer_well_past_sqlites_thousand_pages(sqlite_db: Database) -> None:
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == AUTOCHECKPOINT_PAGES
    _commit_pages(sqlite_db, 1200)
    other = _own_connection(sqlite_db)
    try:
        busy, frames, copied = checkpoint(other)
    finally:
        other.close()
    # At SQLite's default a commit would have copied the WAL back at 1,000 pages and restarted it.
    assert (busy, copied) == (0, frames) and frames > 1200


def test_the_checkpointer_copies_committed_pages_into_the_database_file(sqlite_db: Database) -> None:
    before = _file_pages(sqlite_db)
    _commit_pages(sqlite_db, 300)
    assert _file_pages(sqlite_db) - before < 50  # the rows are in the WAL, not yet in the file
    checkpoints = Checkpointer(sqlite_db, seconds=0.01).start()
    try:
        deadline = time.monotonic() + 10
        while checkpoints.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        checkpoints.close()
    assert checkpoints.thread is None and checkpoints.runs >= 2
    assert _file_pages(sqlite_db) - before >= 300
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM blobs").scalar() == 300


def test_the_server_checkpoints_while_it_runs_and_stops_with_it(app: Any, db: Database) -> None:
    with TestClient(app):
        checkpoints: Checkpointer = app.state.checkpoints
        running = checkpoints.thread is not None and checkpoints.thread.is_alive()
        thread = checkpoints.thread
    assert running == (db.dialect == "sqlite")  # PostgreSQL checkpoints by itself
    assert checkpoints.thread is None and (thread is None or not thread.is_alive())


def test_an_in_memory_database_has_no_checkpointer() -> None:
    db = open_database("sqlite:///:memory:")
    try:
        checkpoints = Checkpointer(db).start()
        assert checkpoints.thread is None
        checkpoints.close()
    finally:
        db.engine.dispose()


def test_writers_leave_the_search_index_merges_to_the_servers_thread(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as db:
        with db.write() as conn:
            definitions.import_app(conn, repair(), Change(Actor(None)))
            ref = definitions.form_ref(conn, "repair", "equipment")
        for i in range(40):  # each in a transaction of its own, as one-record creates: a segment each
            with db.write() as conn:
                records.create(conn, ref, {"name": f"数控车床{i:02d}"}, Change(Actor(None)))

        def index_pages() -> int:
            with db.read() as conn:
                return int(conn.exec_driver_sql("SELECT count(*) FROM record_search_data").scalar() or 0)

        with db.read() as conn:
            assert conn.exec_driver_sql("SELECT v FROM record_search_config WHERE k = 'automerge'").scalar() == 0
        written = index_pages()
        own = _own_connection(db)
        try:
            Checkpointer(db).run_once(own)
        finally:
            own.close()
        assert index_pages() < written
        with db.read() as conn:
            assert len(search.candidates(conn, "车床") or []) == 40
