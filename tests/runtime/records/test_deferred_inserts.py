"""The rows a write adds after its record (history, search document, audit entry): on PostgreSQL
they reach the server with the connection's next statement (storage.deferred). Every statement of
the transaction must see them, a rollback must leave none behind, on every backend, and on PostgreSQL
they go with the COMMIT, which they can fail."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from runtime import subscribers
from runtime.apps import definitions
from runtime.db import deferred, driver, tables
from runtime.db.db import Database
from runtime.db.tables import record_history
from runtime.records import records, search
from runtime.records.context import Actor, Change
from tests.factories import repair


@pytest.fixture(autouse=True)
def wired() -> None:
    subscribers.install()  # storage is used directly here: switch on the audit and search subscribers


def _history_rows(conn: object, record_id: int) -> int:
    query = select(func.count()).select_from(record_history).where(record_history.c.record_id == record_id)
    return int(conn.execute(query).scalar() or 0)  # type: ignore[attr-defined]


def test_a_creates_rows_are_seen_in_its_transaction_and_gone_with_its_rollback(db: Database) -> None:
    with db.write() as conn:
        definitions.import_app(conn, repair(), Change(Actor(None)))
        ref = definitions.form_ref(conn, "repair", "equipment")
    with pytest.raises(RuntimeError), db.write() as conn:
        lathe = records.create(conn, ref, {"name": "数控车床"}, Change(Actor("admin")))
        assert _history_rows(conn, lathe.id) == 1  # a SQLAlchemy statement
        assert driver.rows(conn, "SELECT count(*) FROM audit_log WHERE record_id = ?", (lathe.id,)) == [(1,)]
        assert search.candidates(conn, "车床") == [lathe.id]
        raise RuntimeError("roll back")
    with pytest.raises(RuntimeError), db.write() as conn:
        records.create(conn, ref, {"name": "普通车床"}, Change(Actor("admin")))
        raise RuntimeError("roll back with the rows still queued")
    with db.write() as conn:  # the pool hands out the same connection: nothing of the first may follow
        drill = records.create(conn, ref, {"name": "台式钻床"}, Change(Actor("admin")))
    with db.read() as conn:  # (SQLite gives the rolled-back id out again: count everything)
        assert driver.rows(conn, "SELECT record_id FROM record_history") == [(drill.id,)]
        assert driver.rows(conn, "SELECT record_id FROM audit_log WHERE action = 'record.create'") == [(drill.id,)]
        assert search.candidates(conn, "钻床") == [drill.id] and search.candidates(conn, "车床") == []


def test_a_queued_row_that_fails_at_the_commit_fails_it_and_leaves_nothing(db: Database) -> None:
    """The queued rows and the COMMIT go to PostgreSQL in one round trip: when the rows fail, the
    server must skip the COMMIT, the commit must raise SQLAlchemy's error, and the connection must
    serve the next transaction."""
    if db.dialect != "postgresql":
        pytest.skip("SQLite sends every row at once: nothing is queued until the commit")
    with db.write() as conn:
        definitions.import_app(conn, repair(), Change(Actor(None)))
        ref = definitions.form_ref(conn, "repair", "equipment")
    with pytest.raises(IntegrityError), db.write() as conn:
        records.create(conn, ref, {"name": "数控车床"}, Change(Actor("admin")))
        deferred.defer(conn, "INSERT INTO record_history (record_id) VALUES (%s)", [-1])  # no such record, no version
    with db.write() as conn:
        drill = records.create(conn, ref, {"name": "台式钻床"}, Change(Actor("admin")))
    with db.read() as conn:
        assert driver.rows(conn, "SELECT record_id FROM record_history") == [(drill.id,)]
        assert [r.id for r in conn.execute(select(tables.records.c.id))] == [drill.id]
