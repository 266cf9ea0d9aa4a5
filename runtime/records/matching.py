"""The oldest live record whose fields equal given values (a flow's `create_record` with `match`, a
template's demo record matched by SKU), or that the form's duplicate rules find for a new record's values
(`create_record` with `match_duplicates`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from runtime.db.tables import live
from runtime.db.tables import records as records_table
from runtime.records.columns import field_column
from runtime.records.context import Change, FormRef
from runtime.records.duplicates import find
from runtime.records.preview import preview


def oldest_matching(conn: Connection, ref: FormRef, match: dict[str, Any]) -> int | None:
    """A blank value matches a blank field."""
    dialect = conn.dialect.name
    query = (select(records_table.c.id).where(records_table.c.app == ref.app_key, records_table.c.form == ref.form.key,
                                              live(records_table)).order_by(records_table.c.id).limit(1))
    for key, value in match.items():
        col = field_column(ref.form.field(key), dialect)
        query = query.where(col.raw_expr().is_(None) if value is None or value == "" else
                            col.sort_expr() == col.bind(value, dialect))
    return conn.scalar(query)


def oldest_duplicate(conn: Connection, ref: FormRef, values: dict[str, Any], change: Change) -> int | None:
    """The oldest live record a new record of these values would likely duplicate (a branch or a parent
    company is no duplicate); the values are compared as they would be stored."""
    if not ref.form.duplicate_rules:
        return None
    data, _ = preview(conn, ref, values, change)
    found = find(conn, ref, data if data is not None else values)
    return min((m.record_id for m in found if m.relation == "duplicate"), default=None)
