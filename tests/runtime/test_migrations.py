"""Alembic migrations build exactly the tables runtime/storage/tables.py declares, on every backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from runtime.storage import schema
from runtime.storage.tables import metadata
from tests.backends import fresh_database


def test_upgrade_to_head_matches_the_table_definitions(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        schema.upgrade(db)  # a second run is a no-op
        assert schema.current_revision(db) == schema.head_revision()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
