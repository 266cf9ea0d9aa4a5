"""The dashboard editor's API: the draft's dashboards; create, save (layout, filters and the widgets each
applies to, roles), rename, copy or delete one; copy or delete a widget. Every edit changes the app's
draft and answers with the dashboard as saved (422 with JSON paths when it breaks the definition);
publishing is the app's publish (POST /api/v1/apps/{app}/publish)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from runtime.api.apps import edit_draft
from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions, report_drafts
from runtime.schemas.dashboards import CopyIn, NewReportIn, RenameIn

router = APIRouter(prefix="/api/v1/apps/{app}/draft/reports", tags=["dashboard editor"])


def _edit(app: str, report: str, request: Request, db: DB, guard: Gatekeeper, edit: Any) -> dict[str, Any]:
    """One editor edit of the app's draft (`manage` on the app): the saved dashboard `report` as JSON."""
    saved = edit_draft(app, request, db, guard, edit, detail={"report": report})
    return saved.report(report).model_dump(mode="json", exclude_defaults=True)


@router.get("")
def list_reports(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The draft's dashboards, as the editor edits them."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return {"items": definitions.draft(conn, app).get("reports", [])}


@router.get("/{report}")
def get_report(app: str, report: str, db: DB, guard: Gatekeeper) -> Any:
    """One dashboard of the draft."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        return report_drafts.report_of(definitions.draft(conn, app), report)


@router.post("", status_code=201)
def create_report(app: str, body: NewReportIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A new, empty dashboard (409 when the key is taken)."""
    report = body.model_dump(exclude_none=True)
    return _edit(app, body.key, request, db, guard, lambda d: report_drafts.add_report(d, report))


@router.put("/{report}")
def put_report(
    app: str, report: str, definition: Annotated[dict[str, Any], Body()], request: Request, db: DB, guard: Gatekeeper
) -> Any:
    """Save the whole dashboard as the editor holds it: widgets with their `layout`, `filters` with the
    `widgets` each applies to, `roles`."""
    return _edit(app, report, request, db, guard, lambda d: report_drafts.put_report(d, report, definition))


@router.patch("/{report}")
def rename_report(app: str, report: str, body: RenameIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Rename the dashboard (`name_en: null` removes the English name)."""

    def rename(draft: dict[str, Any]) -> dict[str, Any]:
        found = report_drafts.report_of(draft, report)
        found = {k: v for k, v in found.items() if k != "name_en"} | body.model_dump(exclude_none=True)
        return report_drafts.put_report(draft, report, found)

    return _edit(app, report, request, db, guard, rename)


@router.post("/{report}/copy", status_code=201)
def copy_report(app: str, report: str, body: CopyIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A copy of the dashboard, with its widgets, filters and roles, under a new key."""
    return _edit(app, body.key, request, db, guard, lambda d: report_drafts.copy_report(d, report, body.key, body.name))


@router.delete("/{report}", status_code=204)
def remove_report(app: str, report: str, request: Request, db: DB, guard: Gatekeeper) -> None:
    edit_draft(app, request, db, guard, lambda d: report_drafts.remove_report(d, report), detail={"report": report})


@router.post("/{report}/widgets/{widget}/copy", status_code=201)
def copy_widget(app: str, report: str, widget: str, body: CopyIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A copy of the widget under a new key, after the original (it takes the next free place on the grid)."""
    return _edit(app, report, request, db, guard, lambda d: report_drafts.copy_widget(d, report, widget, body.key))


@router.delete("/{report}/widgets/{widget}")
def remove_widget(app: str, report: str, widget: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Remove the widget (and its key from the filters naming it)."""
    return _edit(app, report, request, db, guard, lambda d: report_drafts.remove_widget(d, report, widget))
