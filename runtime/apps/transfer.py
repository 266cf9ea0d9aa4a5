"""An app exported whole — its definition (forms, flows, dashboards, roles, print templates), the template
version it was installed from, and optionally its records — and imported as a new app, or as a copy under
another key (engine/upgrade/rekey.py rewrites every reference to the key).

Records are created through the ordinary write path, as an import creates them (rules checked, derived
values and auto numbers computed in the copy, flows started by creation run). Their relations are
rewritten to the copies of the records they named: forms are created in the order of their relations,
and a relation to a form not created yet (a cycle, a form pointing at itself) is set in a second pass."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Connection, select

from engine.app import AppDefinition
from engine.errors import BadQuery
from engine.forms.fields.base import FieldType
from engine.forms.fields.relation import RelationField
from engine.forms.fields.sub_table import SubTableField
from engine.forms.model import FormDefinition
from engine.upgrade.rekey import rekey
from runtime.apps import definitions, upgrades
from runtime.crypto.fields import unsealed
from runtime.db.tables import live, records
from runtime.records import records as record_writes
from runtime.records.context import Change, FormRef

FORMAT: Final = "tangram/app-export@1"

IdMap = dict[tuple[str, int], int]
"""(form, id in the export) → id of its copy."""


def export_app(conn: Connection, key: str, *, with_records: bool = False) -> dict[str, Any]:
    """The app as one JSON document; with its live records (decrypted, computed fields left out) if asked."""
    app, _ = definitions.current(conn, key)
    bundle: dict[str, Any] = {"format": FORMAT, "definition": app.dump(),
                              "template": upgrades.template_of(conn, key).dump()}
    if with_records:
        bundle["records"] = {form.key: _records_of(conn, key, form) for form in app.forms}
    return bundle


def _records_of(conn: Connection, key: str, form: FormDefinition) -> list[dict[str, Any]]:
    rows = conn.execute(select(records.c.id, records.c.data).where(
        records.c.app == key, records.c.form == form.key, live()).order_by(records.c.id))
    return [{"id": row.id, "data": _writable(form.fields, unsealed(row.data))} for row in rows]


def _writable(fields: list[FieldType], data: dict[str, Any]) -> dict[str, Any]:
    """What a write accepts: computed fields (formulas, lookups, rollups, auto numbers) are the copy's own."""
    kept = {}
    for f in fields:
        if f.computed or data.get(f.key) is None:
            continue
        value = data[f.key]
        if isinstance(f, SubTableField) and isinstance(value, list):
            value = [_writable(f.fields, row) for row in value if isinstance(row, dict)]
        kept[f.key] = value
    return kept


def import_bundle(conn: Connection, bundle: Any, change: Change,
                  key: str | None = None) -> tuple[AppDefinition, dict[str, int]]:
    """Import an export (or a bare definition) as a new app, under `key` if given; how many records of
    each form were copied. All or nothing: the caller's transaction holds every write."""
    if not isinstance(bundle, dict):
        raise BadQuery("导入的内容应为应用定义或应用导出文件", "expected an app definition or an app export", field="body")
    if bundle.get("format") == FORMAT:
        definition, template, stored = bundle.get("definition"), bundle.get("template"), bundle.get("records") or {}
    else:
        definition, template, stored = bundle, None, {}
    if not isinstance(definition, dict) or not isinstance(stored, dict):
        raise BadQuery("导出文件中的 definition 或 records 不正确", "the export's definition or records is malformed",
                       field="definition")
    if key:
        definition = rekey(definition, key)
    app, _ = definitions.import_app(conn, definition, change,
                                    template=template if isinstance(template, dict) else None)
    return app, _copy_records(conn, app, stored, change)


def _targets(field: FieldType) -> set[str]:
    if isinstance(field, RelationField):
        return {field.target}
    if isinstance(field, SubTableField):
        return {t for sub in field.fields for t in _targets(sub)}
    return set()


def _creation_order(app: AppDefinition) -> list[FormDefinition]:
    """Forms after the forms their relations point at, where the relations allow (a cycle: definition order)."""
    left, order, made = list(app.forms), [], set()
    while left:
        form = next((f for f in left if all(t in made for fl in f.fields for t in _targets(fl) - {f.key})), left[0])
        left.remove(form)
        order.append(form)
        made.add(form.key)
    return order


def _copy_records(conn: Connection, app: AppDefinition, stored: dict[str, Any], change: Change) -> dict[str, int]:
    unknown = sorted(set(stored) - set(app.forms_by_key))
    if unknown:
        raise BadQuery(f"导出文件中的记录属于不存在的表单：{', '.join(unknown)}",
                       f"the export holds records of forms the app does not have: {', '.join(unknown)}",
                       field="records")
    ids: IdMap = {}
    later: list[tuple[FormRef, int, dict[str, Any]]] = []
    made: set[str] = set()
    counts: dict[str, int] = {}
    for form in _creation_order(app):
        items = [r for r in stored.get(form.key) or []
                 if isinstance(r, dict) and isinstance(r.get("id"), int) and isinstance(r.get("data"), dict)]
        ref = definitions.form_ref(conn, app.key, form.key)
        deferred = {f.key for f in form.fields if _targets(f) - made}
        datas = [{k: (_remap(form.by_key[k], v, ids) if k in form.by_key else v)
                  for k, v in item["data"].items() if k not in deferred} for item in items]
        created = record_writes.create_many(conn, ref, datas, change)
        for item, new in zip(items, created, strict=True):
            ids[(form.key, item["id"])] = new.id
            rest = {k: v for k, v in item["data"].items() if k in deferred}
            if rest:
                later.append((ref, new.id, rest))
        made.add(form.key)
        counts[form.key] = len(created)
    for ref, record_id, rest in later:
        record_writes.update_record(conn, ref, record_id, {k: _remap(ref.form.by_key[k], v, ids)
                                                           for k, v in rest.items()}, change)
    return counts


def _remap(field: FieldType, value: Any, ids: IdMap) -> Any:
    """A relation's ids in the export as the ids of their copies (a record not copied: left out)."""
    if isinstance(field, RelationField):
        if isinstance(value, list):
            return [ids[(field.target, v)] for v in value if (field.target, v) in ids]
        return ids.get((field.target, value)) if isinstance(value, int) else None
    if isinstance(field, SubTableField) and isinstance(value, list):
        subs = {f.key: f for f in field.fields}
        return [{k: (_remap(subs[k], v, ids) if k in subs else v) for k, v in row.items()}
                for row in value if isinstance(row, dict)]
    return value


__all__ = ["FORMAT", "export_app", "import_bundle"]
