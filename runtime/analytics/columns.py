"""The mirror's typed columns, from the form definition: money as DECIMAL, dates as DATE, datetimes as
UTC TIMESTAMP, multi-selects as VARCHAR[] … and how a stored value travels there as CSV text.

Both loaders (PostgreSQL's COPY of a typed SELECT, and Python over SQLite rows) write the same CSV
text per column; DuckDB reads it as VARCHAR and casts it with `load_sql`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS

SCHEMA_VERSION = 3  # 2: `version` is BIGINT like `id` (the system fields map by their storage); 3: sub_table rows
"""Bumped when the mapping below changes: every mirrored table is rebuilt."""


@dataclass(frozen=True)
class MirrorColumn:
    """One column of a mirrored form: its name (a field key or system column) and DuckDB type."""

    name: str
    duck_type: str
    source: str  # system | scalar | json  (how the value is read from the record)

    def load_sql(self, raw: str) -> str:
        """DuckDB SQL turning the CSV text column `raw` into this column's type."""
        if self.duck_type == "VARCHAR":
            return raw
        if self.duck_type.endswith("[]"):
            item = self.duck_type[:-2]
            return f"CAST(from_json({raw}, '[\"{item}\"]') AS {self.duck_type})"
        if self.duck_type == "TIMESTAMP" and self.source == "scalar":
            return f"CAST(replace(replace({raw}, 'T', ' '), 'Z', '') AS TIMESTAMP)"
        if self.duck_type.startswith("DECIMAL"):  # a number beyond the column's range is blank, not a failed sync
            return f"TRY_CAST({raw} AS {self.duck_type})"
        return f"CAST({raw} AS {self.duck_type})"


SYSTEM_TYPES = {"integer": "BIGINT", "timestamp": "TIMESTAMP", "text": "VARCHAR"}
"""The DuckDB type of a system field by its storage (engine/forms/system_fields.py)."""
SYSTEM_COLUMNS = [MirrorColumn(key, SYSTEM_TYPES[f.storage], "system") for key, f in SYSTEM_FIELDS.items()]


def _decimal(field: FieldType) -> str:
    scale = getattr(field, "scale", None)
    if scale is None:
        scale = getattr(field, "precision", None)
    return f"DECIMAL(18, {scale})" if scale is not None else "DECIMAL(38, 10)"


def field_column(field: FieldType) -> MirrorColumn | None:
    """The typed column of a field; None for sub_tables (their rows are not mirrored) and for encrypted
    fields: the mirror is a file at rest too, and reports may not use them (engine/forms/encryption.py)."""
    if field.type == "sub_table" or field.encrypted:
        return None
    storage, kind = field.storage_kind(), field.expression_type()
    if storage == "json":
        if kind == "list[text]":
            return MirrorColumn(field.key, "VARCHAR[]", "json")
        if kind == "list[number]":
            return MirrorColumn(field.key, "BIGINT[]", "json")
        return MirrorColumn(field.key, "VARCHAR", "json")  # addresses, attachments: JSON text
    if storage == "integer":
        return MirrorColumn(field.key, "BIGINT", "scalar")
    if storage == "bool":
        return MirrorColumn(field.key, "BOOLEAN", "scalar")
    if storage == "number":
        return MirrorColumn(field.key, _decimal(field), "scalar")
    if kind == "date":
        return MirrorColumn(field.key, "DATE", "scalar")
    if kind == "datetime":
        return MirrorColumn(field.key, "TIMESTAMP", "scalar")
    return MirrorColumn(field.key, "VARCHAR", "scalar")


def form_columns(form: FormDefinition) -> list[MirrorColumn]:
    fields = [c for c in (field_column(f) for f in form.fields) if c is not None]
    return SYSTEM_COLUMNS + fields


ROW_PARENT = MirrorColumn("id", "BIGINT", "system")
"""A sub_table row's first column: its record's id (so a record's rows are deleted and skipped by its id)."""


def sub_tables(form: FormDefinition) -> list[str]:
    """The sub_tables whose rows are mirrored, each as a table of its own (reports over their rows)."""
    return [f.key for f in form.fields if f.type == "sub_table" and not f.encrypted]


def row_columns(form: FormDefinition, sub: str) -> list[MirrorColumn]:
    """The columns of a sub_table's mirror table: the record's id, then each column as `lines.qty`
    (the dotted name never meets a field of the record when the two tables are joined)."""
    out = [ROW_PARENT]
    for column in getattr(form.field(sub), "fields", []):
        typed = field_column(column)
        if typed is not None:
            out.append(MirrorColumn(f"{sub}.{column.key}", typed.duck_type, typed.source))
    return out


def row_table_name(app: str, form: str, sub: str) -> str:
    return f"{app}__{form}__{sub}"


def row_csv_rows(columns: list[MirrorColumn], sub: str, row: Any) -> list[list[Any]]:
    """A record's sub_table rows as the CSV text the loader reads (like csv_row, per row object)."""
    items = row.data.get(sub)
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        line: list[Any] = [row.id]
        for c in columns[1:]:
            value = item.get(c.name.split(".", 1)[1])
            line.append((None if value is None else json.dumps(value, ensure_ascii=False)) if c.source == "json"
                        else _field_text(value))
        out.append(line)
    return out


def pg_row_select_sql(columns: list[MirrorColumn], sub: str) -> str:
    """The typed SELECT list of row_csv_rows on PostgreSQL, over `records` and `line(value)` (a row's object)."""
    parts = ["records.id"]
    for c in columns[1:]:
        key = c.name.split(".", 1)[1]
        parts.append(f"(line.value -> '{key}')" if c.source == "json" else f"(line.value ->> '{key}')")
    return ", ".join(parts)


def form_hash(form: FormDefinition) -> str:
    """What decides the table's shape: when it changes the table is rebuilt."""
    text = json.dumps([SCHEMA_VERSION, form.dump()], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def table_name(app: str, form: str) -> str:
    return f"{app}__{form}"


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _field_text(value: Any) -> Any:
    if value is None or isinstance(value, str | int) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # lists and objects (json columns)


def csv_row(columns: list[MirrorColumn], row: Any) -> list[Any]:
    """A records row (id, data, version, owner …) as the CSV text the loader reads."""
    data = row.data
    out: list[Any] = []
    for c in columns:
        if c.source == "system":
            value = getattr(row, c.name)
            out.append(_moment(value) if c.duck_type == "TIMESTAMP" else value)
        elif c.source == "json":
            value = data.get(c.name)
            out.append(None if value is None else json.dumps(value, ensure_ascii=False))
        else:
            out.append(_field_text(data.get(c.name)))
    return out


def pg_select_sql(columns: list[MirrorColumn]) -> str:
    """The typed SELECT list PostgreSQL's COPY writes, column for column like csv_row."""
    parts = []
    for c in columns:
        if c.source == "system":
            parts.append(f"({c.name} AT TIME ZONE 'UTC')" if c.duck_type == "TIMESTAMP" else c.name)
        elif c.source == "json":
            parts.append(f"(data -> '{c.name}')")
        else:
            parts.append(f"(data ->> '{c.name}')")
    return ", ".join(parts)


__all__ = ["MirrorColumn", "form_columns", "sub_tables", "row_columns", "row_table_name", "row_csv_rows",
           "pg_row_select_sql", "form_hash", "table_name", "csv_row", "pg_select_sql", "SCHEMA_VERSION"]
