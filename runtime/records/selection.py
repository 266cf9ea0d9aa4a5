"""Changes to a user's selection of records, all or nothing: one transaction, the first problem
raised with the record it happened on (`items[i].<field>` as in bulk create)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row

from engine.errors import EngineError, Issue
from runtime.records import records
from runtime.records.context import Change, FormRef
from runtime.records.refresh import refreshed_together

MAX_SELECTION = 1000


def _each(conn: Connection, ids: list[int], run: Callable[[int], Row[Any]]) -> list[Row[Any]]:
    done = []
    with refreshed_together(conn):  # a parent of many selected records is refreshed once
        for i, record_id in enumerate(ids):
            try:
                done.append(run(record_id))
            except EngineError as e:
                e.issues = [Issue(f"items[{i}].{issue.path}", issue.code, issue.message, issue.message_en)
                            for issue in e.issues]
                e.extra.setdefault("record_id", record_id)
                raise
    return done


def update_selected(conn: Connection, ref: FormRef, ids: list[int], values: dict[str, Any],
                    change: Change) -> list[Row[Any]]:
    """Set the same values on every selected record (validated per record, like PATCH)."""
    return _each(conn, ids, lambda record_id: records.update_record(conn, ref, record_id, values, change))


def delete_selected(conn: Connection, ref: FormRef, ids: list[int], change: Change) -> list[Row[Any]]:
    """Soft-delete every selected record."""
    return _each(conn, ids, lambda record_id: records.delete(conn, ref, record_id, change))
