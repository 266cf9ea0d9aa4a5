"""Dashboards (仪表盘): the reports of the apps a user holds a role in, each drawn in the browser with
ECharts from the reports API's one tabular shape (GET /api/v1/apps/{app}/reports/{report}).

The page holds what the script cannot ask the reports API for: the filter controls (by field type,
builder_ui/dashboard_filters.py), each widget's form with the few columns a drill-down list shows,
the words and the app's time zone. The numbers, the drill-down records and the exports all come from
the API, through the same gate, with the filters of the page's query string."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from builder_ui.dashboard_filters import filter_controls
from builder_ui.i18n import language, translator
from builder_ui.rendering import display_name, render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.errors import BadQuery, Forbidden, NotFound
from engine.reports.layout import placements
from engine.reports.model import ReportDefinition, Widget
from runtime.accounts.directory import active_users
from runtime.api.deps import DB, site_zone
from runtime.apps import definitions
from runtime.permissions.check import Guard
from runtime.permissions.reports import report_visible, require_report_visible, widget_gate

router = APIRouter(include_in_schema=False)
DRILL_COLUMNS = 4
WORDS = ("as_of", "kpi_target", "completion", "previous", "previous_growth", "last_year", "last_year_growth",
         "drill", "open_list", "export_csv", "export_xlsx", "data_table", "no_records", "blank", "others",
         "more_records", "loading", "period", "records_shown", "error", "total", "export_png", "export_pdf", "sub_daily", "sub_weekly", "sub_remove", "sub_none", "sub_next",
         "sub_weekdays", "sub_channel_email", "sub_channel_in_app", "sub_channel_dingtalk", "sub_channel_wecom",
         "sub_added", "sub_role", "sub_edit", "sub_editing", "sub_save", "sub_new", "sub_add", "sub_saved",
         "subtotal")


@router.get("/dashboards")
def dashboards_page(request: Request, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """Every dashboard of the user's apps; the data itself comes from the API, through the same gate."""
    with db.read() as conn:
        apps = [definitions.current(conn, row.key)[0] for row in definitions.list_apps(conn)
                if guard.app_visible(conn, row.key)]
        boards = [{"app": a.key, "app_name": a.name, "key": r.key, "name": r.name}
                  for a in apps for r in a.reports if report_visible(conn, guard, a.key, r)]
        designable = [{"app": a.key, "app_name": a.name} for a in apps if _may_edit(conn, guard, a.key)]
    return render(request, "dashboards/list.html", user=user, boards=boards, designable=designable)


def _hidden_fields(conn: Connection, guard: Guard, app: AppDefinition, report: ReportDefinition) -> dict[str, set[str]]:
    """The dashboard's forms the viewer may read, each with the field keys hidden from them."""
    forms: dict[str, set[str]] = {}
    for form in dict.fromkeys(w.form for w in report.widgets):
        try:
            forms[form] = guard.form(conn, app.key, form, "read").hidden
        except (NotFound, Forbidden):
            continue  # the API answers that widget with its refusal; the page offers nothing of its form
    return forms


def _drill_columns(app: AppDefinition, widget: Widget, hidden: set[str], lang: str) -> list[list[str]]:
    """What a drill-down list shows: the title field, then the fields the widget groups and measures by."""
    form = app.form(widget.form)
    wanted = [form.title_field] + [d.field for d in widget.dimensions] + [m.field for m in widget.measures]
    keys = [k for k in dict.fromkeys(wanted) if k and k in form.by_key and k not in hidden][:DRILL_COLUMNS]
    columns = [[k, display_name(form.by_key[k], lang)] for k in keys]
    if not keys or keys[0] != form.title_field:  # no title to link by: the record's number is the link
        columns.insert(0, ["id", translator(lang)("id")])
    return columns


def _widget_shown(conn: Connection, guard: Guard, app: AppDefinition, widget: Widget) -> bool:
    """Whether the viewer may see the widget at all: a widget over a form, field or relation hidden (or
    masked) from them is left off the page — not shown as a box whose title names what they may not see."""
    try:
        widget_gate(conn, guard, app, widget)
    except (NotFound, Forbidden, BadQuery):
        return False
    return True


def _board(app: AppDefinition, report: ReportDefinition, forms: dict[str, set[str]], shown: set[str], lang: str,
           request: Request) -> dict[str, Any]:
    """The script's data: API address, current filter values, each widget the viewer may see (`shown`) with its
    form and drill columns, words."""
    t = translator(lang)
    widgets = {}
    placed = any(w.layout is not None for w in report.widgets)  # a dashboard nobody laid out keeps the flowing grid
    places = placements(report.widgets) if placed else {}
    for w in report.widgets:
        if w.form not in forms or w.key not in shown:
            continue
        form = app.form(w.form)
        widgets[w.key] = {"name": (w.name_en if lang == "en" else None) or w.name or w.key, "stack": w.stack,
                          "form": form.key, "form_name": display_name(form, lang),
                          "list": f"/apps/{app.key}/forms/{form.key}", "title": form.title_field,
                          "columns": _drill_columns(app, w, forms[w.form], lang),
                          "layout": places[w.key].model_dump() if placed else None}
    declared = {f.field for f in report.filters}
    return {"url": f"/api/v1/apps/{app.key}/reports/{report.key}", "widgets": widgets, "placed": placed,
            "name": display_name(report, lang),
            "values": {k: v for k, v in request.query_params.items() if k in declared},
            "zone": getattr(site_zone(request), "key", None), "words": {k: t(k) for k in WORDS}}


@router.get("/apps/{app}/dashboards/{report}")
def dashboard_page(request: Request, app: str, report: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """One dashboard: its filter bar (pre-filled from the query string), the widgets, the drill-down dialog."""
    lang = language(request)
    with db.read() as conn:
        if not guard.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        definition, _ = definitions.current(conn, app)
        found = definition.report(report)
        require_report_visible(conn, guard, definition, found)
        forms = _hidden_fields(conn, guard, definition, found)
        shown = {w.key for w in found.widgets if _widget_shown(conn, guard, definition, w)}
        controls = filter_controls(conn, definition, found, forms, request.query_params, lang, translator(lang))
        editable = _may_edit(conn, guard, app)
        # 订阅: managers subscribe anyone, a role or a group robot; others themselves (runtime/api/dashboard_subscriptions.py)
        subscribe = {"users": active_users(conn) if editable else [],
                     "roles": [(r.key, display_name(r, lang)) for r in definition.roles] if editable else []}
    board = _board(definition, found, forms, shown, lang, request) | {
        "subscriptions": f"/api/v1/apps/{app}/reports/{report}/subscriptions", "me": user.username}
    return render(request, "dashboards/board.html", user=user, app=definition, report=found, controls=controls,
                  board=board, editable=editable, subscribe=subscribe)


def _may_edit(conn: Connection, guard: Guard, app: str) -> bool:
    """Whether the viewer may open the dashboard in the editor (`manage` on the app)."""
    try:
        guard.require_manage(conn, app)
    except (Forbidden, NotFound):
        return False
    return True
