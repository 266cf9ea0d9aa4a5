"""The form builder page: palette, canvas and property panel over the app's draft. form_builder.js
makes every change through the builder endpoints (add / move / update / remove a field, publish),
so the draft stays a valid definition and every refusal comes back with its JSON path."""

from __future__ import annotations

from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.cells import option_values
from builder_ui.records import cascade_paths, field_meta
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.forms import builder as edits
from engine.forms.fields import field_types
from engine.forms.fields.lookup import Result as LookupResult
from engine.forms.fields.palette import GROUPS
from engine.forms.fields.rollup import RollupField
from runtime.accounts.directory import active_users, department_choices
from runtime.api.deps import DB
from runtime.apps import definitions

router = APIRouter(include_in_schema=False)


def palette_entries() -> list[dict[str, Any]]:
    """Every registered type as the palette shows it, group by group (GROUPS' order, then the registry's):
    its names, icon, the options a new field starts with, whether Tangram computes it and whether a
    sub_table column may have it — all read from the type's class (FieldType.palette and friends)."""
    order = list(GROUPS)
    entries = []
    for cls in field_types.all():
        p = cls.palette
        if p is None:  # the contract test refuses such a type; the page still draws
            continue
        entries.append({"type": cls.type_name(), "zh": p.zh, "en": p.en, "group": p.group, "icon": p.icon,
                        "defaults": p.starter, "computed": cls.computed, "in_sub_table": cls.in_sub_table})
    return sorted(entries, key=lambda e: order.index(e["group"]) if e["group"] in order else len(order))


def catalogue(definition: AppDefinition) -> list[dict[str, Any]]:
    """The app's forms and their fields as the page's script needs them to offer relations, lookups and
    rollups: each field's type in expressions (`result`, from the engine), target and `multiple`."""
    return [{"key": f.key, "name": f.name, "fields": [
        {"key": x.key, "label": x.label, "type": x.type, "result": x.expression_type(),
         "target": getattr(x, "target", None), "multiple": getattr(x, "multiple", False)} for x in f.fields]}
        for f in definition.forms]


@router.get("/apps/{app}/builder/forms/{form}")
def builder_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
    form_json = edits.form_of(draft, form)
    palette = palette_entries()
    results = {"lookup": list(get_args(LookupResult)),
               "rollup": list(get_args(RollupField.model_fields["result"].annotation))}
    return render(request, "builder/form_builder.html", user=user, app_key=app, app_name=draft.get("name", app),
                  form=form_json, published=published, palette=palette, forms=catalogue(parse_app(draft)),
                  columns=[p for p in palette if p["in_sub_table"]], results=results, groups=GROUPS)


@router.get("/apps/{app}/builder/forms/{form}/preview")
def preview_page(request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The draft's form as users will see it once published (saving is off)."""
    with db.read() as conn:
        guard.require_manage(conn, app, form)
        definition = parse_app(definitions.draft(conn, app))
        users = active_users(conn)
        departments = department_choices(conn)
    form_def = definition.form(form)
    return render(request, "records/form.html", user=user, app=definition, form=form_def, record=None, values={},
                  users=users, departments=departments, meta=field_meta(definition, form_def), options=option_values,
                  cascade_paths=cascade_paths, preview=True, locked=[])
