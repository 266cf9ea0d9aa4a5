"""Titles of related records, for a whole page in one query (never one query per row)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, select

from engine.app import AppDefinition
from engine.forms.fields import FieldType
from engine.forms.model import FormDefinition
from runtime.db.tables import records


def relation_cells(form: FormDefinition, data: dict[str, Any]) -> Iterator[tuple[str, FieldType, Any]]:
    """(path, relation field, stored value) of every record a record's data names: its relation fields
    (`customer`) and the relation columns of its sub_tables (`lines[2].product`)."""
    fields, tables = _relations_of(form)
    for field in fields:
        if data.get(field.key) is not None:
            yield field.key, field, data[field.key]
    for table, columns in tables:
        rows = data.get(table.key)
        for i, row in enumerate(rows if isinstance(rows, list) else []):
            for column in columns:
                if isinstance(row, dict) and row.get(column.key) is not None:
                    yield f"{table.key}[{i}].{column.key}", column, row[column.key]


def has_row_relations(form: FormDefinition) -> bool:
    """Whether a sub_table of the form has a relation column."""
    return bool(_relations_of(form)[1])


def _relations_of(form: FormDefinition) -> tuple[list[FieldType], list[tuple[FieldType, list[FieldType]]]]:
    """The form's relation fields, and its sub_tables with their relation columns: once per form (every
    page and write asks)."""
    known = form.__dict__.get("_relations_of")
    if known is None or known[0] is not form.fields:  # a copy with fewer fields (builder_ui's visible_form)
        tables = [(f, [c for c in getattr(f, "fields", []) if c.refers_to == "record"])
                  for f in form.fields if f.type == "sub_table"]
        known = (form.fields, [f for f in form.fields if f.refers_to == "record"],
                 [(t, cols) for t, cols in tables if cols])
        form.__dict__["_relations_of"] = known
    return known[1], known[2]


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
