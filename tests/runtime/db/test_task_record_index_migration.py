"""Migration 0025: flow tasks are indexed by record and assignee (the approver read grant looks them up per
record instead of reading every task of a busy approver); the downgrade drops the index again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect

from runtime.db import schema
from tests.backends import fresh_database


def _task_indexes(db: Any) -> dict[str, list[str]]:
    with db.engine.connect() as conn:
        return {i["name"]: list(i["column_names"]) for i in inspect(conn).get_indexes("flow_tasks")}


def test_0025_indexes_tasks_by_record_and_assignee_and_the_downgrade_drops_it(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0024")
        assert "ix_flow_tasks_record" not in _task_indexes(db)
        schema.upgrade(db)
        assert _task_indexes(db)["ix_flow_tasks_record"] == ["record_id", "assignee"]
        schema.downgrade(db, "0024")
        assert "ix_flow_tasks_record" not in _task_indexes(db)
        assert schema.current_revision(db) == "0024"
