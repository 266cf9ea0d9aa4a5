"""Migration 0027: the inbound hooks' tables come with the upgrade and go with the downgrade, on both databases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from runtime.db import schema
from tests.backends import fresh_database


def _tables(db: Any) -> set[str]:
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def test_0027_adds_and_removes_the_hook_tables(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db)
        assert {"hook_secrets", "hook_deliveries"} <= _tables(db)
        schema.downgrade(db, "0026")
        assert not {"hook_secrets", "hook_deliveries"} & _tables(db)
        schema.upgrade(db)
        assert {"hook_secrets", "hook_deliveries"} <= _tables(db)
