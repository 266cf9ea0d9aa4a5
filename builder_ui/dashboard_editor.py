"""The dashboard editor's pages (仪表盘设计): the app's draft dashboards (new, copy, delete, publish) and the
grid of one, where widgets are moved and resized, copied or deleted, dashboard filters are added with the
widgets each applies to, and the roles that may see it are chosen. Both read the draft and change it
only through the API (runtime/api/dashboard_designer.py, then the app's publish)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.dashboards import WORDS as BOARD_WORDS
from builder_ui.i18n import language, translator
from builder_ui.rendering import display_name, render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.compile import related_filter_field
from engine.reports.layout import placements
from engine.reports.model import GRID_COLUMNS
from runtime.api.deps import DB
from runtime.apps import definitions, report_drafts

router = APIRouter(include_in_schema=False)
FILTER_SYSTEM_FIELDS = ("created_at", "updated_at", "owner", "department")
"""The record columns a dashboard filter may name besides the forms' fields (dashboard_filters has controls)."""
WORDS = (
    *BOARD_WORDS,
    "ed_saved",
    "ed_published",
    "ed_unsaved",
    "ed_apply_to",
    "ed_remove_filter",
    "ed_confirm_delete_widget",
    "ed_move",
    "ed_resize",
    "ed_no_filters",
    "ed_everyone",
    "copy",
    "delete",
)


def filter_fields(app: AppDefinition, forms: list[str], lang: str) -> list[dict[str, Any]]:
    """The fields a dashboard filter may name: every filterable field of the widgets' forms, then the record
    columns, each with the forms that have it (a filter applies only to widgets over those)."""
    t = translator(lang)
    found: dict[str, dict[str, Any]] = {}
    for key in forms:
        for field in app.form(key).fields:
            if field.orders() and field.type not in ("sub_table",):
                entry = found.setdefault(field.key, {"key": field.key, "label": display_name(field, lang), "forms": []})
                entry["forms"].append(key)
    columns = [{"key": k, "label": t(k), "forms": list(forms)} for k in FILTER_SYSTEM_FIELDS if k in SYSTEM_FIELDS]
    return list(found.values()) + [c for c in columns if c["key"] not in found] + _related_fields(app, forms, lang)


def _related_fields(app: AppDefinition, forms: list[str], lang: str) -> list[dict[str, Any]]:
    """Fields of related forms a filter may name (`customer.region`, 客户.地区), with the forms reaching them
    through a single relation of that key."""
    found: dict[str, dict[str, Any]] = {}
    for key in forms:
        for holder in app.form(key).fields:
            target = getattr(holder, "target", None)
            if holder.type != "relation" or getattr(holder, "multiple", False) or target not in app.forms_by_key:
                continue
            for field in app.form(target).fields:
                path = f"{holder.key}.{field.key}"
                if field.orders() and related_filter_field(app, key, path) is not None \
                        and str(field.expression_type()) in ("text", "number", "bool", "date", "datetime"):
                    label = f"{display_name(holder, lang)}.{display_name(field, lang)}"
                    found.setdefault(path, {"key": path, "label": label, "forms": []})["forms"].append(key)
    return list(found.values())


@router.get("/apps/{app}/builder/dashboards")
def dashboards_page(request: Request, app: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """The draft's dashboards: open one in the editor, copy, delete, create, publish."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
    return render(
        request,
        "dashboards/designs.html",
        user=user,
        app_key=app,
        app_name=draft.get("name", app),
        published=published,
        reports=draft.get("reports", []),
    )


@router.get("/apps/{app}/builder/dashboards/{report}")
def editor_page(request: Request, app: str, report: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """One draft dashboard on its grid; the widgets are drawn from the query API (the builder's preview)."""
    lang = language(request)
    t = translator(lang)
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        _, published = definitions.current(conn, app)
    held = report_drafts.report_of(draft, report)
    definition = parse_app(draft)
    found = definition.report(report)
    forms = list(dict.fromkeys(w.form for w in found.widgets))
    editor = {
        "app": app,
        "report": held,
        "columns": GRID_COLUMNS,
        "places": {k: p.model_dump() for k, p in placements(found.widgets).items()},
        "forms": {k: display_name(definition.form(k), lang) for k in forms},
        "fields": filter_fields(definition, forms, lang),
        "roles": [{"key": r.key, "name": display_name(r, lang)} for r in definition.roles],
        "api": f"/api/v1/apps/{app}/draft/reports/{report}",
        "query": f"/api/v1/apps/{app}/query?draft=true",  # the draft's widgets, on its forms and fields
        "publish": f"/api/v1/apps/{app}/publish",
        "board": f"/apps/{app}/dashboards/{report}",
        "words": {k: t(k) for k in WORDS},
    }
    return render(
        request,
        "dashboards/editor.html",
        user=user,
        app_key=app,
        app_name=draft.get("name", app),
        published=published,
        report=held,
        editor=editor,
    )


__all__ = ["filter_fields"]
