"""The chart builder's API: the widget types with the slots each takes, the fields of a form a chart can
use (its own, the system columns, and related forms' through single relations), and one widget of the
draft's dashboards read and saved (a new dashboard when the report does not exist yet). Previews go
through POST /apps/{app}/query?draft=true (runtime/api/reports.py: on the draft definition); publishing is the app's publish
(runtime/api/apps.py). Managers of the whole app only: dashboards belong to the app."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.reports.field_catalog import report_fields
from engine.reports.widget_catalog import widget_type_slots
from runtime.api.apps import edit_draft
from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions, report_drafts

router = APIRouter(prefix="/api/v1/apps/{app}", tags=["chart builder"])


@router.get("/widget-types")
def widget_types(app: str, db: DB, guard: Gatekeeper) -> Any:
    """Every widget type the report engine draws: `type`, `label`, `dimensions` and `measures` as
    [fewest, most] (most null: no limit), and the `settings` it reads (sort, limit, target, period, stack)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
    return {"items": widget_type_slots()}


@router.get("/forms/{form}/report-fields")
def fields(app: str, form: str, db: DB, guard: Gatekeeper, draft: bool = False) -> Any:
    """The fields a chart on `form` can use (published definition; `?draft=true`: the draft's, as the
    builder's previews run on it with POST /query?draft=true): `key` (a related form's field as
    `relation.field`), `label`, `group`, `type`, `kind` (the expression type), `dimension` and `buckets`
    (whether it groups rows, by date buckets), `aggs` (the measures it takes)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        definition = definitions.draft_definition(conn, app) if draft else definitions.current(conn, app)[0]
    return {"items": [f.as_json() for f in report_fields(definition.form(form), definition)]}


@router.get("/draft/reports/{report}/widgets/{widget}")
def get_widget(app: str, report: str, widget: str, db: DB, guard: Gatekeeper) -> Any:
    """One widget of a dashboard as the draft holds it (the JSON the builder opens and saves back)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return report_drafts.widget_of(definitions.draft(conn, app), report, widget)


@router.put("/draft/reports/{report}/widgets/{widget}")
def put_widget(
    app: str,
    report: str,
    widget: str,
    definition: Annotated[dict[str, Any], Body()],
    request: Request,
    db: DB,
    guard: Gatekeeper,
    report_name: str | None = None,
) -> Any:
    """Save a widget into the draft's dashboard `report` (replacing the one with this key in place, or
    added at the end); `?report_name=` creates the dashboard when it does not exist. 422 with every problem
    at its JSON path; the published app changes when the draft is published."""
    saved = edit_draft(
        app,
        request,
        db,
        guard,
        lambda d: report_drafts.put_widget(d, report, widget, definition, report_name),
        detail={"report": report, "widget": widget},
    )
    return report_drafts.widget_of(saved.dump(), report, widget)
