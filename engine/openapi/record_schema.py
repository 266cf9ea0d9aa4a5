"""A form's records in JSON Schema (2020-12, as OpenAPI 3.1 uses it), as one caller sees them.

Every value schema is the field type's own `json_schema()` (the stored value); this module only decides,
from the caller's sight, what is left out (hidden fields), what is read-only (computed fields, fields the
caller may only read or sees masked) and how a value reads back: a masked value is its mask, a relation
is `{id, title}` (records/titles), in a sub_table row as well. What a caller writes is the stored shape.
"""

from __future__ import annotations

from typing import Any

from engine.app import AppDefinition
from engine.forms.fields.base import FieldType
from engine.openapi.sight import FormSight

NULL = {"type": "null"}
TITLED = {"type": "object", "required": ["id", "title"], "additionalProperties": False,
          "properties": {"id": {"type": "integer", "minimum": 1}, "title": {"type": "string"}},
          "description": "a related record: its id and its title (`#id` when the reader may not read it)"}
MASKED = {"type": "string", "readOnly": True, "description": "脱敏: the caller sees only a mask of the value"}


def _described(field: FieldType, schema: dict[str, Any]) -> dict[str, Any]:
    """The value schema with the field's label and help, for the docs page and generated clients."""
    out = {"title": field.label, **schema}
    notes = [n for n in (field.label_en, field.help) if n]
    if notes:
        out["description"] = " — ".join([*notes, *([schema["description"]] if "description" in schema else [])])
    return out


def _read_value(field: FieldType, app: AppDefinition, form_key: str) -> dict[str, Any]:
    """How a stored value reads back through the records API."""
    if field.refers_to == "record":
        return {"type": "array", "items": TITLED, "uniqueItems": True} if getattr(field, "multiple", False) else TITLED
    if field.type == "sub_table":
        schema = field.json_schema()
        row = schema["items"]
        for column in getattr(field, "fields", []):
            if column.refers_to == "record":
                row["properties"][column.key] = _read_value(column, app, form_key)
            elif column.computed:  # a row's formula is blank while its inputs are
                row["properties"][column.key] = {"anyOf": [row["properties"][column.key], NULL], "readOnly": True}
        row["required"] = []  # blank cells are not stored, required or not (a column made required later)
        return schema
    if field.type == "lookup":
        return _lookup(field, app, form_key)
    return field.json_schema()


def _lookup(field: FieldType, app: AppDefinition, form_key: str) -> dict[str, Any]:
    """A lookup holds a copy of the related record's field: that field's stored shape, read-only."""
    form = app.forms_by_key.get(form_key)
    relation = form.by_key.get(getattr(field, "relation", "")) if form else None
    target = app.forms_by_key.get(getattr(relation, "target", ""))
    source = target.by_key.get(getattr(field, "field", "")) if target else None
    if source is None or source.type in ("lookup", "rollup") or source.refers_to == "record":
        return field.json_schema()
    return {**source.json_schema(), "readOnly": True}


def data_read(sight: FormSight, app: AppDefinition) -> dict[str, Any]:
    """`data` of a record as the caller reads it: the fields they see, nothing else."""
    props: dict[str, Any] = {}
    for key, access in sight.fields:
        field = sight.form.by_key[key]
        if access == "masked":
            props[key] = _described(field, MASKED)
            continue
        value = _read_value(field, app, sight.form.key)
        if field.computed:  # a formula over blank inputs is blank: shown as null
            value = {"anyOf": [value, NULL]}
        if field.computed or access == "read":
            value = {**value, "readOnly": True}
        props[key] = _described(field, value)
    return {"type": "object", "properties": props, "additionalProperties": False,
            "description": "blank values are left out"}


def writable(sight: FormSight) -> list[FieldType]:
    """The fields the caller may write: those they may edit that Tangram does not compute."""
    return [sight.form.by_key[k] for k, access in sight.fields
            if access == "edit" and not sight.form.by_key[k].computed]


def data_create(sight: FormSight) -> dict[str, Any]:
    """`data` of a create: the writable fields; required are those with no default to fill them."""
    fields = writable(sight)
    required = [f.key for f in fields if f.required and f.default is None and not f.default_formula]
    return {"type": "object", "properties": {f.key: _described(f, f.json_schema()) for f in fields},
            "required": required, "additionalProperties": False}


def data_patch(sight: FormSight) -> dict[str, Any]:
    """`data` of an update: any writable fields; null (or a blank) clears a value."""
    props = {f.key: _described(f, {"anyOf": [f.json_schema(), NULL]}) for f in writable(sight)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def record_read(data_ref: str) -> dict[str, Any]:
    """A record as the records API answers it (runtime/schemas/records.py `record_json`)."""
    who = {"type": ["string", "null"]}
    moment = {"type": "string", "format": "date-time"}
    props = {"id": {"type": "integer", "minimum": 1}, "version": {"type": "integer", "minimum": 1},
             "data": {"$ref": data_ref}, "owner": who, "department": who, "created_at": moment,
             "created_by": who, "updated_at": moment, "updated_by": who, "deleted": {"type": "boolean"}}
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
