"""The flow designer's pages: the app's flows (on / off, running instances, copy, delete, new) and the
canvas of one flow. Both read the draft and change it only through the API (runtime/api/flow_designer.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import i18n
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.expr.scope import form_scope
from engine.flows import builder as edits
from engine.flows.actions import action_types
from engine.flows.steps import step_types
from engine.forms.model import FormDefinition
from runtime.accounts.naming import named_users
from runtime.accounts.people import display_names
from runtime.api.deps import DB
from runtime.apps import definitions
from runtime.flows import flows

router = APIRouter()

TRIGGERS = ("create", "update", "submit", "delete", "date", "schedule", "button", "webhook")
"""The trigger panel's types, in the order it offers them."""


def condition_fields(app: AppDefinition, form: FormDefinition) -> list[dict[str, Any]]:
    """The form's fields as the condition picker and the trigger panel offer them: key, label, type, select
    options, and `kind` — the type expressions see (the engine's scope; null where they cannot use it)."""
    scope = form.__dict__.get("_scope") or form_scope(form, app)
    out = []
    for field in form.fields:
        if field.type == "sub_table":
            continue
        kind = scope.names.get(field.key)
        options = [{"value": o.value, "label": o.label} for o in getattr(field, "options", None) or []
                   if field.type in ("select", "multi_select")]
        out.append({"key": field.key, "label": field.label, "type": field.type, "kind": str(kind) if kind else None,
                    **({"options": options} if options else {})})
    return out


def pointing_relations(app: AppDefinition, form: FormDefinition) -> list[dict[str, Any]]:
    """The single relations of any form to `form`: what 删除记录 may delete along with the flow's record
    (`related`: a lost deal's draft quotes), each with its form's fields for the condition picker."""
    return [{"form": other.key, "form_name": other.name, "field": field.key, "label": field.label,
             "fields": condition_fields(app, other)}
            for other in app.forms for field in other.fields
            if field.type == "relation" and getattr(field, "target", None) == form.key
            and not getattr(field, "multiple", False)]


def trigger_words(request: Request) -> dict[str, str]:
    """The trigger types in the order they are offered, each with its name in the page's language."""
    t = i18n.translator(i18n.language(request))
    return {on: t(f"trigger_on_{on}") for on in TRIGGERS}


def step_palette(app: AppDefinition, form: FormDefinition) -> list[dict[str, Any]]:
    """What the + between two nodes offers: every registered step type and action, with its starter for
    a flow on `form`."""
    steps = [{"kind": k.type_names()[0], "label": k.label, "sample": k.starter(app, form)}
             for k in dict.fromkeys(step_types.all())]
    actions = [{"kind": a.action_name(), "label": a.label, "sample": a.starter(app, form)} for a in action_types.all()]
    return steps + actions


@router.get("/apps/{app}/builder/flows")
def flows_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
        running = flows.running_by_version(conn, app)
    forms = {f["key"]: f.get("name", f["key"]) for f in draft.get("forms", [])}
    items = [{"flow": f, "form_name": forms.get(f.get("form", ""), f.get("form")),
              "running": sorted(running.get(f["key"], {}).items())} for f in draft.get("flows", [])]
    # the new-flow dialog's trigger settings offer the chosen form's fields (date fields for 日期到达)
    fields = [{"key": f["key"], "label": f.get("label", f["key"]), "type": f.get("type"), "form": form["key"]}
              for form in draft.get("forms", []) for f in form.get("fields", []) if f.get("type") != "sub_table"]
    return render(request, "builder/flows.html", user=user, app_key=app, app_name=draft.get("name", app),
                  published=published, items=items, forms=forms, trigger_words=trigger_words(request), fields=fields)


@router.get("/apps/{app}/builder/flows/{flow}")
def designer_page(request: Request, app: str, flow: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
        running = flows.running_by_version(conn, app).get(flow, {})
        flow_json = edits.flow_of(draft, flow)
        people = display_names(conn, named_users(flow_json))
    definition = parse_app(draft)
    form = definition.form(flow_json["form"])
    fields = condition_fields(definition, form)
    return render(request, "builder/flow_designer.html", user=user, app_key=app, app_name=draft.get("name", app),
                  flow=flow_json, published=published, running=sorted(running.items()),
                  palette=step_palette(definition, form), fields=fields, form_name=form.name,
                  trigger_words=trigger_words(request),
                  roles=[{"key": r.key, "name": r.name} for r in definition.roles],
                  forms=[{"key": f.key, "name": f.name, "title_field": f.title_field} for f in definition.forms],
                  people=people, pointing=pointing_relations(definition, form))
