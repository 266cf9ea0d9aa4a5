"""Dashboards (仪表盘): the reports of the apps a user holds a role in, each drawn in the browser with
ECharts from the reports API's one tabular shape (GET /api/v1/apps/{app}/reports/{report})."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.errors import NotFound
from runtime.api.deps import DB
from runtime.storage import definitions

router = APIRouter(include_in_schema=False)


@router.get("/dashboards")
def dashboards_page(request: Request, user: Viewer, guard: PageGuard, db: DB) -> Response:
    """Every dashboard of the user's apps; the data itself comes from the API, through the same gate."""
    with db.read() as conn:
        apps = [definitions.current(conn, row.key)[0] for row in definitions.list_apps(conn)
                if guard.app_visible(conn, row.key)]
    boards = [{"app": a.key, "app_name": a.name, "key": r.key, "name": r.name} for a in apps for r in a.reports]
    return render(request, "dashboards/list.html", user=user, boards=boards)


@router.get("/apps/{app}/dashboards/{report}")
def dashboard_page(request: Request, app: str, report: str, user: Viewer, guard: PageGuard, db: DB) -> Response:
    with db.read() as conn:
        if not guard.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        definition, _ = definitions.current(conn, app)
    found = definition.report(report)
    return render(request, "dashboards/board.html", user=user, app=definition, report=found)
