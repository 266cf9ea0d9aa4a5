"""The chart builder's page (图表设计): pick a form, drag its fields (and related forms' fields) into
维度 / 指标 / 筛选, choose a chart type, see the chart live, save it into a dashboard of the draft and
publish. The page only holds what it starts from (the app's forms, the draft's dashboards, the widget
being edited, the words); types, fields, previews and saves all go through the API
(runtime/api/widget_designer.py, POST /apps/{app}/query)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import dashboards, i18n
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app_check import parse_app
from runtime.api.deps import DB
from runtime.apps import definitions, report_drafts

router = APIRouter()

WORDS = dashboards.WORDS + (
    "cb_dimensions",
    "cb_measures",
    "cb_filter",
    "cb_sort",
    "cb_add_dimension",
    "cb_add_measure",
    "cb_add_filter",
    "cb_records",
    "cb_calculated",
    "cb_expression",
    "cb_label",
    "cb_not_dimension",
    "cb_not_measure",
    "cb_empty_preview",
    "cb_saved",
    "cb_new_report",
    "cb_no_sort",
    "cb_bucket_none",
    "cb_refused",
    "cb_format",
    "cb_format_auto",
    "cb_format_number",
    "cb_format_percent",
    "cb_format_money",
    "cb_format_count",
    "cb_format_days",
    "cb_sort_needs_column",
    "published",
    "remove",
    "move_up",
    "agg_count",
    "agg_count_distinct",
    "agg_sum",
    "agg_avg",
    "agg_min",
    "agg_max",
    "bucket_day",
    "bucket_week",
    "bucket_month",
    "bucket_quarter",
    "bucket_year",
    "move_down",
    "cb_rows",
    "cb_columns",
    "cb_values",
    "cb_pivot_rows_first",
    "cb_swap",
    "cb_step",
    "cb_step_label",
    "cb_step_condition",
    "cb_step_drag",
)
"""The words the script shows: the dashboard's (widgets.js draws the preview) and the builder's own."""


def _page(
    request: Request, app: str, user: Any, guard: Any, db: DB, report: str | None, widget: dict[str, Any] | None
) -> Response:
    t = i18n.translator(i18n.language(request))
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
    working = parse_app(draft)  # previews run on the draft: its forms, published or not
    reports = [{"key": r.key, "name": r.name} for r in working.reports]
    data = {
        "app": app,
        "report": report,
        "widget": widget,
        "reports": reports,
        "forms": [{"key": f.key, "name": f.name} for f in working.forms],
        "form": request.query_params.get("form"),
        "words": {k: t(k) for k in WORDS},
        "check_url": f"/api/v1/apps/{app}/draft/forms/{{form}}/check-expression",
    }
    return render(
        request,
        "builder/chart_builder.html",
        user=user,
        app_key=app,
        app_name=draft.get("name", app),
        data=data,
        editing=widget is not None,
    )


@router.get("/apps/{app}/builder/charts/new")
def new_chart_page(
    request: Request, app: str, user: Viewer, guard: PageGuard, db: DB, report: str | None = None
) -> Response:
    """A new chart; `?report=` preselects the dashboard it is saved into, `?form=` the form."""
    return _page(request, app, user, guard, db, report, None)


@router.get("/apps/{app}/builder/charts/{report}/{widget}")
def edit_chart_page(
    request: Request, app: str, report: str, widget: str, user: Viewer, guard: PageGuard, db: DB
) -> Response:
    """A widget of the draft's dashboard, opened as it is saved (404 when there is none)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        found = report_drafts.widget_of(definitions.draft(conn, app), report, widget)
    return _page(request, app, user, guard, db, report, found)
