"""Migration 0026: the 查重 scan tables come and go, on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from runtime.db import schema
from tests.backends import fresh_database


def _tables(db: Any) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_0026_adds_the_scan_tables_and_its_downgrade_removes_them(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0025")
        assert not {"duplicate_scans", "duplicate_links"} & _tables(db)
        schema.upgrade(db)
        assert {"duplicate_scans", "duplicate_links"} <= _tables(db)
        schema.downgrade(db, "0025")
        assert not {"duplicate_scans", "duplicate_links"} & _tables(db)
        schema.upgrade(db)
        assert schema.current_revision(db) == schema.expected_revision()
