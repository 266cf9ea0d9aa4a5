"""Reports: a dashboard's widgets, an ad-hoc widget (the builder's preview), drill-down to the records
behind a point, export, and the analytics mirror's sync."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import and_, not_, or_

from engine.app import AppDefinition
from engine.errors import BadQuery, InvalidDefinition, NotFound
from engine.expr.evaluate import EvalContext
from engine.reports.model import ReportDefinition, Widget
from engine.reports.validate import widget_issues
from runtime.analytics.export import MEDIA, export
from runtime.analytics.run import ReportContext, compile_for, jsonable, run_widget
from runtime.analytics.sync import sync
from runtime.api.deps import DB, AppSettings, CurrentUser, MirrorDB, change_for
from runtime.api.records import _render
from runtime.schemas.reports import QueryIn
from runtime.storage import definitions, listing
from runtime.storage.context import FormRef

router = APIRouter(prefix="/api/v1", tags=["reports"])
_RESERVED = {"engine", "point", "format", "limit", "cursor", "sort"}


def _context(request: Request, db: DB, mirror: MirrorDB, settings: AppSettings, user: CurrentUser) -> ReportContext:
    change = change_for(request, user)
    return ReportContext(db, mirror, settings, EvalContext(change.now, change.timezone, user.username))


def _report(db: DB, app_key: str, report_key: str) -> tuple[AppDefinition, ReportDefinition]:
    with db.read() as conn:
        app, _ = definitions.current(conn, app_key)
    return app, app.report(report_key)


def _filters(request: Request, report: ReportDefinition) -> dict[str, str]:
    """Dashboard filter values from the query string; only the report's declared filters are taken."""
    declared = {f.field for f in report.filters}
    values = {}
    for name, value in request.query_params.items():
        if name in _RESERVED:
            continue
        if name not in declared:
            raise BadQuery(f"报表“{report.name}”没有筛选项 {name}（可用：{', '.join(sorted(declared)) or '无'}）",
                           f"report {report.key!r} has no filter {name!r}", field=name)
        values[name] = value
    return values


def _widget(report: ReportDefinition, key: str) -> Widget:
    widget = report.widget(key)
    if widget is None:
        raise NotFound(f"报表“{report.name}”没有图表 {key}", f"report {report.key!r} has no widget {key!r}")
    return widget


@router.get("/apps/{app}/reports/{report}")
def get_report(app: str, report: str, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings,
               user: CurrentUser, engine: str | None = None) -> Any:
    """Every widget of a dashboard in the one tabular shape; dashboard filters as query parameters."""
    definition, found = _report(db, app, report)
    filters = _filters(request, found)
    rc = _context(request, db, mirror, settings, user)
    widgets = [run_widget(rc, definition, w, filters, engine) for w in found.widgets]
    return JSONResponse(jsonable({"key": found.key, "name": found.name, "widgets": widgets}))


@router.post("/apps/{app}/query")
def query(app: str, body: QueryIn, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings,
          user: CurrentUser, engine: str | None = None) -> Any:
    """One ad-hoc widget definition → the same shape as a dashboard (the report builder's preview)."""
    with db.read() as conn:
        definition, _ = definitions.current(conn, app)
    widget = body.widget()
    issues = widget_issues(widget, definition, "widget")
    if issues:
        raise InvalidDefinition(f"图表定义有 {len(issues)} 处错误", f"the widget has {len(issues)} problem(s)", issues=issues)
    rc = _context(request, db, mirror, settings, user)
    return JSONResponse(jsonable({"widgets": [run_widget(rc, definition, widget, body.filters, engine)]}))


def _point(text: str) -> list[Any]:
    try:
        values = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        raise BadQuery("point 应为维度值的 JSON 数组", "point must be a JSON array of dimension values",
                       field="point") from None
    if not isinstance(values, list):
        raise BadQuery("point 应为维度值的 JSON 数组", "point must be a JSON array of dimension values", field="point")
    return [int(v) if isinstance(v, bool) else v for v in values]


@router.get("/apps/{app}/reports/{report}/widgets/{widget}/drill")
def drill(app: str, report: str, widget: str, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings,
          user: CurrentUser, point: str = "[]", limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
          cursor: str | None = None, sort: str | None = None) -> Any:
    """The records behind one point (a row's `keys` entry, or `others` for the "其他" row), as a records
    list with the same filters."""
    definition, found = _report(db, app, report)
    chosen = _widget(found, widget)
    if chosen.type == "kpi":
        raise BadQuery("指标卡没有可下钻的点", "a KPI widget has no points to drill into", field="point")
    filters = _filters(request, found)
    rc = _context(request, db, mirror, settings, user)
    others = point == "others"
    kept = [k for k in run_widget(rc, definition, chosen, filters, "primary")["keys"] if k is not None] if others else []
    values = [] if others else _point(point)
    with db.read() as conn:
        compiled = compile_for(chosen, definition, "primary", conn.dialect.name, rc, filters)
        if others:  # the "其他" row: every record outside the points shown
            shown = [and_(*compiled.point(k)) for k in kept]
            where = compiled.where + ([not_(or_(*shown))] if shown else [])
        else:
            where = compiled.where + compiled.point(values)
        ref = FormRef(definition, definitions.current(conn, app)[1], definition.form(chosen.form))
        query_ = listing.ListQuery(sort=listing.parse_sort(ref, sort, conn.dialect.name), limit=limit, cursor=cursor,
                                   where=where)
        page = listing.list_records(conn, ref, query_, change_for(request, user).ctx)
        body = {"items": _render(conn, ref, page.items), "next_cursor": page.next_cursor}
    return JSONResponse(body)


@router.get("/apps/{app}/reports/{report}/widgets/{widget}/export")
def export_widget(app: str, report: str, widget: str, request: Request, db: DB, mirror: MirrorDB,
                  settings: AppSettings, user: CurrentUser, format: str = "csv", engine: str | None = None) -> Any:
    """The widget's data as a file: `format=csv` (UTF-8 with BOM) or `xlsx`."""
    if format not in MEDIA:
        raise BadQuery("format 应为 csv 或 xlsx", "format must be csv or xlsx", field="format")
    definition, found = _report(db, app, report)
    chosen = _widget(found, widget)
    result = run_widget(_context(request, db, mirror, settings, user), definition, chosen, _filters(request, found),
                        engine)
    name = f"{chosen.name or chosen.key}.{format}"
    disposition = f"attachment; filename=\"{chosen.key}.{format}\"; filename*=UTF-8''{quote(name)}"
    return Response(export(result, format), media_type=MEDIA[format], headers={"Content-Disposition": disposition})


@router.post("/mirror/sync")
def sync_mirror(request: Request, db: DB, mirror: MirrorDB, user: CurrentUser, full: bool = False) -> Any:
    """Bring the analytics mirror up to date now (`full=true` rebuilds every table)."""
    return JSONResponse(sync(db, mirror, change_for(request, user).now, full=full).as_dict())


@router.get("/mirror")
def mirror_state(db: DB, mirror: MirrorDB, user: CurrentUser) -> Any:
    """The mirror's sync state: as of when, the history watermark, and each table's row count."""
    with mirror.read() as conn:
        state = mirror.state(conn)
    return JSONResponse({"as_of": state.synced_at.isoformat() + "Z" if state.synced_at else None,
                         "watermark": state.watermark, "gaps": len(state.gaps),
                         "tables": {k: {"rows": v[1]} for k, v in sorted(state.tables.items())}})
