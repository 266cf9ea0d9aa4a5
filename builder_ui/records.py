"""Record pages: the create/edit form for every field type, and the record page (fields, related
records, timeline). Saving is done by record_form.js calling the records API (If-Match on edit)."""

from __future__ import annotations

from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import approvals
from builder_ui.cells import cell_text, option_colors, option_values
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.errors import FieldValueError, NotFound
from engine.expr.errors import ExpressionError
from engine.forms.defaults import initial_values
from engine.forms.expressions import checked
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext
from engine.forms.model import FormDefinition
from engine.forms.visibility import locked_fields
from runtime.accounts.directory import active_users, department_choices
from runtime.api.deps import DB, Id, change_for
from runtime.flows import flows
from runtime.permissions.check import FormGate, Guard
from runtime.records import listing, merge, records
from runtime.records.context import FormRef
from runtime.records.titles import titles
from runtime.schemas.records import history_json, shown_records

router = APIRouter(include_in_schema=False)
RELATED_ROWS = 10


def visible_form(form: FormDefinition, hidden: set[str]) -> FormDefinition:
    """The form as this user may see it: hidden fields left out (never rendered, not even as inputs)."""
    if not hidden:
        return form
    copy = form.model_copy(update={"fields": [f for f in form.fields if f.key not in hidden]})
    for name, attr in vars(type(form)).items():
        if isinstance(attr, cached_property):  # computed from the full field list: recompute on the copy
            copy.__dict__.pop(name, None)
    return copy


def cascade_paths(options: list[Any], prefix: str = "") -> list[str]:
    """Every path of a cascade tree as "制造业/汽车零配件" (the input the field type reads)."""
    paths = []
    for node in options:
        value = node if isinstance(node, str) else node.value
        path = f"{prefix}/{value}" if prefix else value
        paths.append(path)
        if not isinstance(node, str):
            paths += cascade_paths(node.children or [], path)
    return paths


def _reads_fields(app: AppDefinition, form: FormDefinition, text: str) -> bool:
    """Whether an expression of the form reads its fields (a draft's broken one: no, the builder reports it)."""
    try:
        return bool(checked(app.forms_by_key.get(form.key, form), text).fields)
    except ExpressionError:
        return False


def _column_start(column: Any) -> Any:
    """A column's literal default as its input shows it (a percent as 60 for 60%), or None."""
    if column.is_blank(column.default) or column.type in ("relation", "attachment") or column.computed:
        return None
    try:
        value = column.normalize(column.default, ValueContext(LITERAL_MOMENT))
    except FieldValueError:
        return None
    if isinstance(value, bool):
        return value
    text = cell_text(column, value)
    return text[:-1] if column.type == "percent" and text.endswith("%") else text


def _column_meta(app: AppDefinition, column: Any) -> dict[str, Any]:
    """A sub_table column for record_form.js; a relation column with its target's title field, for its picker."""
    item: dict[str, Any] = {"key": column.key, "type": column.type}
    start = _column_start(column)
    if start is not None:
        item["start"] = start  # a new row starts with the column's default, as the form does
    if column.type == "relation":
        target = app.forms_by_key.get(column.target)
        item |= {"target": column.target, "multiple": column.multiple, "title_field": target.title_field if target else None}
    return item


def field_meta(app: AppDefinition, form: FormDefinition) -> list[dict[str, Any]]:
    """What record_form.js needs per field: type, multiplicity, the relation's target and its title field,
    whether a duplicate rule compares it (the form then asks for 可能重复 as it is typed)."""
    compared = {c.field for rule in form.duplicate_rules for c in rule.fields}
    meta = []
    for f in form.fields:
        item: dict[str, Any] = {"key": f.key, "type": f.type, "multiple": bool(getattr(f, "multiple", False)),
                                "visible_when": bool(f.visible_when), "checks_duplicates": f.key in compared}
        if f.default_formula and _reads_fields(app, form, f.default_formula):
            item["default_on_save"] = True  # reads other fields: left out of a create when blank, the server fills it
        if f.type == "relation":
            target = app.forms_by_key.get(f.target)  # type: ignore[attr-defined]
            item |= {"target": f.target, "title_field": target.title_field if target else None}  # type: ignore[attr-defined]
        if f.type == "sub_table":
            item["fields"] = [_column_meta(app, s) for s in f.fields]  # type: ignore[attr-defined]
        meta.append(item)
    return meta


def _form_page(request: Request, conn: Any, gate: FormGate, user: Any, record: dict[str, Any] | None,
               start: dict[str, Any] | None = None, locked: list[str] | None = None,
               under_approval: bool = False, approver_edits: bool = False) -> Response:
    ref = gate.ref
    form = visible_form(ref.form, gate.hidden | gate.masked)  # masked fields cannot be written: not on the form
    # 保存并提交 on a new record: the form's submit flows (a button flow is started from the record page)
    submits = [] if record else [b for b in approvals.start_buttons(ref.app, ref.form.key, set(), set())
                                 if b["kind"] == "submit"]
    return render(request, "records/form.html", user=user, app=ref.app, form=form, record=record,
                  locked=locked or [], under_approval=under_approval, approver_edits=approver_edits, submits=submits,
                  values=record["data"] if record else (start or {}), users=active_users(conn),
                  departments=department_choices(conn),
                  meta=field_meta(ref.app, form), options=option_values, cascade_paths=cascade_paths,
                  preview=False)


def prefilled(request: Request, conn: Any, gate: FormGate, user: Any) -> dict[str, Any]:
    """The form's start: the fields' defaults (TODAY(), CURRENT_USER() … computed by the engine with the
    request's clock), and `?customer=12` from a related list's "new" link: that relation starts filled in
    (only a start: the server still checks the value on save). The title shows only for a record the
    user may read."""
    ref = gate.ref
    values = {k: v for k, v in initial_values(ref.form, change_for(request, user).ctx, user.username).items()
              if ref.form.by_key[k].type != "relation"}  # a relation's start needs its title: by link only
    for key, text in request.query_params.items():
        field = ref.form.by_key.get(key)
        if field is None or field.computed or key in gate.hidden:
            continue
        if field.type == "relation" and text.isdigit():
            given = [int(text)] if field.multiple else int(text)  # type: ignore[attr-defined]
            names = gate.readable_titles([{key: given}], titles(conn, ref.app, {int(text)}))
            chosen = {"id": int(text), "title": names.get(int(text), f"#{text}")}
            values[key] = [chosen] if field.multiple else chosen  # type: ignore[attr-defined]
        elif field.type in ("text", "textarea", "select", "number", "money", "date", "department"):
            values[key] = text
    return values


@router.get("/apps/{app}/forms/{form}/records/new")
def new_record(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        gate = guard.form(conn, app, form, "create")
        return _form_page(request, conn, gate, user, None, prefilled(request, conn, gate, user))


@router.get("/apps/{app}/forms/{form}/records/{record_id}/edit")
def edit_record(request: Request, app: str, form: str, record_id: Id, user: Viewer, guard: PageGuard,
                db: DB) -> Response:
    with db.read() as conn:
        gate = guard.form(conn, app, form, "update")
        gate.require_record(record_id, "update")
        row = records.get(conn, gate.ref, record_id)
        locked = locked_fields(gate.ref.form, row.data, change_for(request, user).ctx, user.username)
        locked += [k for k in gate.ref.form.field_keys if gate.rights.access(k) == "read" and k not in locked]
        # An open approval holds the record read-only (runtime/flows/flow_triggers.py refuses the save), but
        # for the fields its step lets the current approver edit (editable_fields)
        under_approval = flows.locked(conn, app, [record_id]) is not None
        approver_edits: set[str] = set()
        if under_approval:
            approver_edits = flows.editable_under_approval(conn, app, [record_id], user.username or "")
            locked = [k for k in gate.ref.form.field_keys if k not in approver_edits or k in locked]
        return _form_page(request, conn, gate, user, shown_records(gate, [row])[0], locked=locked,
                          under_approval=under_approval, approver_edits=bool(approver_edits))


def related_lists(request: Request, conn: Any, ref: FormRef, record_id: int, user: Any,
                  guard: Guard) -> list[dict[str, Any]]:
    """Per relation pointing at this form (a customer's contacts, opportunities …): the first rows the user
    may read and a link; forms and relation fields hidden from them are left out."""
    lists = []
    ctx = change_for(request, user).ctx
    for other in ref.app.forms:
        for field in other.fields:
            if field.type != "relation" or field.target != ref.form.key:  # type: ignore[attr-defined]
                continue
            try:
                gate = guard.form(conn, ref.app_key, other.key, "read")
            except NotFound:
                continue
            if field.key in gate.hidden | gate.masked:  # listing by a masked relation would reveal it
                continue
            op = "has" if field.multiple else "eq"  # type: ignore[attr-defined]
            scope = gate.where("read")
            page = listing.list_records(conn, gate.ref, listing.ListQuery(
                [listing.Condition(field.key, op, record_id)], [], RELATED_ROWS,
                where=[scope] if scope is not None else []), ctx)
            shown = [f for f in other.fields if f.key != field.key and f.key not in gate.hidden
                     and f.type not in ("sub_table", "textarea")][:3]
            lists.append({"form": other, "field": field, "rows": shown_records(gate, page.items),
                          "columns": shown, "more": page.next_cursor is not None,
                          "href": f"/apps/{ref.app_key}/forms/{other.key}?" + urlencode(
                              {f"filter[{field.key}][{op}]": record_id})})
    return lists


@router.get("/apps/{app}/forms/{form}/records/{record_id}")
def record_page(request: Request, app: str, form: str, record_id: Id, user: Viewer, guard: PageGuard,
                db: DB) -> Response:
    """The 360° view: every field the user may see, the records that point here, and who changed what when."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        gate.require_record(record_id, "read")
        ref = gate.ref
        row = records.get(conn, ref, record_id)
        record = shown_records(gate, [row])[0]
        related = related_lists(request, conn, ref, record_id, user, guard)
        found = merge.history_with_merged(conn, ref, record_id, gate.where("read"))
        timeline = [history_json(h, ref.form) | {"merged_from": source} for h, source in reversed(found)]
        for item in timeline:
            item["changed"] = [k for k in item["changed"] if k not in gate.hidden]
            item["data"] = gate.visible_data(item["data"])
        approval = approvals.panel(request, conn, ref, record_id, user)
        users = active_users(conn) if approval["instances"] else []
    shown_form = visible_form(ref.form, gate.hidden)
    return render(request, "records/show.html", user=user, app=ref.app, form=shown_form, record=record,
                  related=related, timeline=timeline, colors=option_colors, masked=gate.masked,
                  approval=approval, users=users)
