"""Titles of related records, for a whole page in one query (never one query per row)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from engine.app import AppDefinition
from runtime.storage.tables import records


def related_ids(app: AppDefinition, form_key: str, datas: Iterable[dict[str, Any]]) -> set[int]:
    ids: set[int] = set()
    relations = [f for f in app.form(form_key).referring if f.refers_to == "record"]
    for data in datas:
        for field in relations:
            if field.key in data:
                ids.update(field.references(data[field.key]))
    return ids


def titles(conn: Connection, app: AppDefinition, ids: set[int]) -> dict[int, str]:
    """id -> the title of that record (its form's title_field, else `#id`); deleted ones included."""
    if not ids:
        return {}
    query = select(records.c.id, records.c.form, records.c.data).where(
        records.c.app == app.key, records.c.id.in_(sorted(ids)))
    result = {}
    for row in conn.execute(query):
        form = app.forms_by_key.get(row.form)
        title = row.data.get(form.title_field) if form and form.title_field else None
        result[row.id] = str(title) if title is not None else f"#{row.id}"
    return result
