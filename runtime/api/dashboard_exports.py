"""A dashboard as a PDF (导出 PDF): every widget run again for the caller with the query string's filters,
its figures as a formatted table, and its chart: the image the dashboard page posts (POST), else the
server's own SVG drawing (a GET from an integrator or a script)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from engine.errors import BadQuery
from runtime.analytics.dashboard_meta import dashboard_meta
from runtime.analytics.dashboard_pdf import chart_image, dashboard_pdf, drawn_charts
from runtime.analytics.dashboard_run import run_dashboard
from runtime.analytics.snapshot import figures
from runtime.api.deps import DB, AppSettings, MirrorDB
from runtime.api.guard import Gatekeeper
from runtime.api.reports import _context, _filters, _report
from runtime.schemas.dashboards import PdfIn

router = APIRouter(prefix="/api/v1", tags=["reports"])


def _pdf(
    app: str,
    report: str,
    request: Request,
    db: DB,
    mirror: MirrorDB,
    settings: AppSettings,
    guard: Gatekeeper,
    posted: dict[str, str],
) -> Response:
    definition, found = _report(db, guard, app, report)
    filters = _filters(request, found)
    for key in posted:
        if found.widget(key) is None:
            raise BadQuery(
                f"报表“{found.name}”没有图表 {key}",
                f"report {found.key!r} has no widget {key!r}",
                field=f"images.{key}",
            )
    images = {key: chart_image(key, url) for key, url in posted.items()}
    rc = _context(request, db, mirror, settings, guard)
    results = run_dashboard(rc, guard, definition, found, filters)
    tables = [figures(r, w.name or w.key) for r, w in zip(results, found.widgets, strict=True)]
    meta = dashboard_meta(definition, found, filters, rc.ctx)
    body = dashboard_pdf(found.name, meta, tables, images, drawn_charts(results, images))
    disposition = f"attachment; filename=\"{found.key}.pdf\"; filename*=UTF-8''{quote(found.name + '.pdf')}"
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": disposition})


@router.get("/apps/{app}/reports/{report}/pdf")
def dashboard_pdf_tables(
    app: str, report: str, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings, guard: Gatekeeper
) -> Any:
    """The dashboard as a PDF: each widget's chart drawn by the server (vector SVG) above its formatted table,
    with the dashboard filters of the query."""
    return _pdf(app, report, request, db, mirror, settings, guard, {})


@router.post("/apps/{app}/reports/{report}/pdf")
def dashboard_pdf_with_charts(
    app: str,
    report: str,
    body: PdfIn,
    request: Request,
    db: DB,
    mirror: MirrorDB,
    settings: AppSettings,
    guard: Gatekeeper,
) -> Any:
    """The same, with each chart's image as the page drew it (`{"images": {"<widget>": "data:image/png;base64,…"}}`)
    above its table (a chart without one is drawn by the server); an image that is no PNG, or names no widget
    of the dashboard, is a 400 naming it."""
    return _pdf(app, report, request, db, mirror, settings, guard, body.images)
