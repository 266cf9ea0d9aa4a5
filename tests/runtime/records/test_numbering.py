"""Auto numbers (runtime/records/numbering.py): never repeated; on PostgreSQL taken outside the
record's transaction, so an open create does not hold up the next one, and a failed create leaves a gap."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import text

from engine.errors import UniqueViolation
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.records import records
from runtime.records.context import Actor, Change
from tests.factories import repair

ADMIN = Change(Actor("admin"))


def _setup(db: Database) -> Any:
    with db.write() as conn:
        definitions.import_app(conn, repair(), ADMIN)
        return definitions.form_ref(conn, "repair", "equipment")


def _seq(code: str) -> int:
    return int(code[-4:])


def test_a_failed_create_gives_its_number_back_on_sqlite_and_leaves_a_gap_on_postgresql(db: Database) -> None:
    ref = _setup(db)
    with db.write() as conn:
        first = records.create(conn, ref, {"name": "车床", "phone": "13800138000"}, ADMIN)
    try:
        with db.write() as conn:
            records.create(conn, ref, {"name": "钻床", "phone": "13800138000"}, ADMIN)
    except UniqueViolation:
        pass
    else:
        raise AssertionError("the duplicate phone number was accepted")
    with db.write() as conn:
        third = records.create(conn, ref, {"name": "铣床"}, ADMIN)
    expected = 2 if db.dialect == "sqlite" else 3
    assert (_seq(first.data["code"]), _seq(third.data["code"])) == (1, expected)


def test_an_open_create_does_not_hold_up_the_next_on_postgresql(db: Database) -> None:
    """The sequence row is no longer locked until the first create commits."""
    if db.dialect == "sqlite":
        pytest.skip("SQLite has one writer at a time by design")
    ref = _setup(db)
    done: list[Any] = []
    with db.write() as conn:
        held = records.create(conn, ref, {"name": "车床"}, ADMIN)

        def second() -> None:
            with db.write() as other:
                done.append(records.create(other, ref, {"name": "钻床"}, ADMIN))

        worker = threading.Thread(target=second)
        worker.start()
        worker.join(timeout=20)
        assert done, "the second create waited for the first one's transaction"
    assert {_seq(held.data["code"]), _seq(done[0].data["code"])} == {1, 2}


def test_numbers_go_on_after_the_allocators_connection_is_dropped(db: Database) -> None:
    if db.dialect == "sqlite":
        pytest.skip("SQLite numbers in the record's own transaction, on no connection of their own")
    ref = _setup(db)
    with db.write() as conn:
        records.create(conn, ref, {"name": "车床"}, ADMIN)
    allocator = db.engine.dialect.tangram_numbers  # type: ignore[attr-defined]
    pid = allocator._conn.info.backend_pid
    with db.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    with db.write() as conn:
        second = records.create(conn, ref, {"name": "钻床"}, ADMIN)
    assert _seq(second.data["code"]) == 2
    assert allocator._conn.info.backend_pid != pid
