"""Titles of related records, for a whole page in one query (never one query per row)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from engine.app import AppDefinition
from engine.forms.fields import FieldType
from engine.forms.model import FormDefinition
from runtime.storage.tables import records


def relation_cells(form: FormDefinition, data: dict[str, Any]) -> Iterator[tuple[str, FieldType, Any]]:
    """(path, relation field, stored value) of every record a record's data names: its relation fields
    (`customer`) and the relation columns of its sub_tables (`lines[2].product`)."""
    for field in form.fields:
        if field.refers_to == "record":
            if data.get(field.key) is not None:
                yield field.key, field, data[field.key]
        elif field.type == "sub_table" and isinstance(data.get(field.key), list):
            columns = [c for c in getattr(field, "fields", []) if c.refers_to == "record"]
            for i, row in enumerate(data[field.key] if columns else []):
                for column in columns:
                    if isinstance(row, dict) and row.get(column.key) is not None:
                        yield f"{field.key}[{i}].{column.key}", column, row[column.key]


def related_ids(app: AppDefinition, form_key: str, datas: Iterable[dict[str, Any]]) -> set[int]:
    ids: set[int] = set()
    form = app.form(form_key)
    for data in datas:
        for _path, field, value in relation_cells(form, data):
            ids.update(field.references(value))
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
