"""Alembic migrations build exactly the tables runtime/storage/tables.py declares, on every backend,
plus the search index (a virtual table on SQLite, so not in the metadata), filled for stored records."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from runtime.storage import schema
from runtime.storage.tables import metadata
from tests.backends import fresh_database


def _declared(name: str | None, type_: str, _parents: Any) -> bool:
    """The search index and FTS5's shadow tables are made by runtime/storage/search.py."""
    return not (type_ == "table" and (name or "").startswith("record_search"))


def test_upgrade_to_head_matches_the_table_definitions(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        schema.upgrade(db)  # a second run is a no-op
        assert schema.current_revision(db) == schema.head_revision()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": _declared}), metadata)
            assert conn.execute(text("SELECT count(*) FROM record_search")).scalar() == 0
            if db.dialect == "sqlite":  # writers leave segment merges to the server's thread (0008)
                automerge = text("SELECT v FROM record_search_config WHERE k = 'automerge'")
                assert conn.execute(automerge).scalar() == 0
        assert diff == []
