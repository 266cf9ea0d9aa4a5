"""Request and response shapes of the records API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row

from engine.forms.model import FormDefinition
from runtime.records.titles import related_ids, titles

if TYPE_CHECKING:
    from runtime.permissions.check import FormGate


class RecordIn(BaseModel):
    """`{"data": {...}}` — field keys to values."""

    model_config = ConfigDict(extra="forbid")
    data: dict[str, Any]


class BulkIn(BaseModel):
    """`{"items": [{...}, ...]}` — each item is a record's data (how many: settings.max_bulk_items,
    checked by the route; the body's size is bounded before it is parsed)."""

    model_config = ConfigDict(extra="forbid")
    items: list[dict[str, Any]]


class SharesIn(BaseModel):
    """`{"users": [usernames], "departments": [keys]}` — who a record is shared with (协作人)."""

    model_config = ConfigDict(extra="forbid")
    users: list[str] = Field(default_factory=list, max_length=1000)
    departments: list[str] = Field(default_factory=list, max_length=1000)


def _titled(value: Any, titles: dict[int, str]) -> Any:
    if isinstance(value, list):
        return [{"id": v, "title": titles.get(v, f"#{v}")} for v in value]
    return {"id": value, "title": titles.get(value, f"#{value}")}


def _timestamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def record_json(row: Row[Any], form: FormDefinition, titles: dict[int, str],
                fields: list[str] | None = None) -> dict[str, Any]:
    """A record as the API shows it: the form's current fields only (removed fields stay hidden),
    relations as {id, title}."""
    stored = row.data
    keys = form.field_keys if fields is None else fields
    data = {k: stored[k] for k in keys if k in stored}
    for field in form.referring:
        if field.refers_to == "record" and field.key in data:
            data[field.key] = _titled(data[field.key], titles)
    for field in form.fields:  # relation columns of sub_table rows ({id, title} as well)
        columns = [c.key for c in getattr(field, "fields", []) if c.refers_to == "record"] \
            if field.type == "sub_table" else []
        if columns and isinstance(data.get(field.key), list):
            data[field.key] = [{**row, **{c: _titled(row[c], titles) for c in columns if row.get(c) is not None}}
                               if isinstance(row, dict) else row for row in data[field.key]]
    return {
        "id": row.id,
        "version": row.version,
        "data": data,
        "owner": row.owner,
        "department": row.department,
        "created_at": _timestamp(row.created_at),
        "created_by": row.created_by,
        "updated_at": _timestamp(row.updated_at),
        "updated_by": row.updated_by,
        "deleted": row.deleted_at is not None,
    }


def history_json(row: Row[Any], form: FormDefinition) -> dict[str, Any]:
    return {
        "version": row.version,
        "action": row.action,
        "at": row.at.isoformat().replace("+00:00", "Z"),
        "by": row.by,
        "changed": [k for k in row.changed if k in form.by_key],
        "data": {k: v for k, v in row.data.items() if k in form.by_key},
    }


def shown_records(gate: FormGate, rows: list[Row[Any]], fields: list[str] | None = None) -> list[dict[str, Any]]:
    """Records as the API and the pages show them: only the fields the gate lets this actor see, masked
    ones masked, relations with the titles the actor may read."""
    ref = gate.ref
    names = gate.readable_titles([r.data for r in rows], titles(
        gate.conn, ref.app, related_ids(ref.app, ref.form.key, (r.data for r in rows))))
    shown = [record_json(r, ref.form, names, fields if fields is not None else gate.visible_keys) for r in rows]
    if gate.masked:
        for item in shown:
            item["data"] = gate.masked_data(item["data"])
    return shown
