"""Reports: a dashboard's widgets, an ad-hoc widget (the builder's preview), drill-down to the records
behind a point, export, and the analytics mirror's sync."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from engine.app import AppDefinition
from engine.errors import BadQuery, InvalidDefinition, MirrorNotOwned, MirrorUnavailable, NotFound
from engine.expr.evaluate import EvalContext
from engine.reports.model import ReportDefinition, Widget
from engine.reports.validate import widget_issues
from runtime.analytics.dashboard_run import run_dashboard, scope_widget, unavailable
from runtime.analytics.drill import drilled_where
from runtime.analytics.export import MEDIA, export
from runtime.analytics.mirror import Mirror, SyncState
from runtime.analytics.run import ReportContext, jsonable, run_widget
from runtime.analytics.sync import sync
from runtime.api.deps import DB, AppSettings, CurrentUser, MirrorDB, change_for
from runtime.api.guard import NO_RECORDS, Gatekeeper, require_admin
from runtime.apps import definitions
from runtime.permissions.check import Guard
from runtime.permissions.reports import require_report_visible
from runtime.records import listing
from runtime.schemas.records import shown_records
from runtime.schemas.reports import QueryIn

router = APIRouter(prefix="/api/v1", tags=["reports"])
_RESERVED = {"engine", "point", "format", "limit", "cursor", "sort"}


def _context(request: Request, db: DB, mirror: MirrorDB, settings: AppSettings, guard: Guard) -> ReportContext:
    change = change_for(request, guard.actor)
    return ReportContext(db, mirror, settings, EvalContext(change.now, change.timezone, guard.actor.username))


def _report(db: DB, guard: Guard, app_key: str, report_key: str) -> tuple[AppDefinition, ReportDefinition]:
    with db.read() as conn:
        if not guard.app_visible(conn, app_key):
            raise NotFound(f"应用 {app_key} 不存在", f"no app {app_key!r}")
        app, _ = definitions.current(conn, app_key)
        found = app.report(report_key)
        require_report_visible(conn, guard, app, found)
    return app, found


def _run(rc: ReportContext, guard: Guard, app: AppDefinition, widget: Widget, filters: dict[str, str],
         engine: str | None) -> dict[str, Any]:
    scope_widget(rc, guard, app, widget, filters)
    return run_widget(rc, app, widget, filters, engine)


def _stored_scoped(rc: ReportContext, guard: Guard, app: AppDefinition, widget: Widget,
                   filters: dict[str, str]) -> None:
    """`scope_widget` for a widget of a stored dashboard: refused without naming what it reads."""
    try:
        scope_widget(rc, guard, app, widget, filters)
    except (NotFound, BadQuery) as e:
        raise unavailable(widget, e) from None


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
               guard: Gatekeeper, engine: str | None = None) -> Any:
    """Every widget of a dashboard in the one tabular shape; dashboard filters as query parameters. Each
    widget counts only the records the user may read; one over a form or field hidden from them comes
    back empty with an `error`."""
    definition, found = _report(db, guard, app, report)
    filters = _filters(request, found)
    rc = _context(request, db, mirror, settings, guard)
    widgets = run_dashboard(rc, guard, definition, found, filters, engine)
    return JSONResponse(jsonable({"key": found.key, "name": found.name, "widgets": widgets}))


@router.post("/apps/{app}/query")
def query(app: str, body: QueryIn, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings,
          guard: Gatekeeper, engine: str | None = None, draft: bool = False) -> Any:
    """One ad-hoc widget definition → the same shape as a dashboard (the report builder's preview).
    `?draft=true` (the app's managers only, 403 otherwise): checked and run against the draft definition,
    so the builders preview forms and fields not yet published."""
    with db.read() as conn:
        if not guard.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        published, _ = definitions.current(conn, app)
        definition = published
        if draft:
            guard.require_manage(conn, app)
            definition = definitions.draft_definition(conn, app)
    widget = body.widget()
    issues = widget_issues(widget, definition, "widget")
    if issues:
        raise InvalidDefinition(f"图表定义有 {len(issues)} 处错误", f"the widget has {len(issues)} problem(s)", issues=issues)
    if definition is published:
        rc = _context(request, db, mirror, settings, guard)
        return JSONResponse(jsonable({"widgets": [_run(rc, guard, definition, widget, body.filters, engine)]}))
    rc = _context(request, db, mirror, _draft_settings(settings, published, definition), guard)
    if widget.form in published.forms_by_key:
        scope_widget(rc, guard, published, widget, body.filters)  # the rights are the published app's
    # else a form of the draft alone: no record of it exists yet, and its managers are the caller
    return JSONResponse(jsonable({"widgets": [run_widget(rc, definition, widget, body.filters, engine)]}))


def _draft_settings(settings: AppSettings, published: AppDefinition, draft: AppDefinition) -> Any:
    """The analytics mirror's tables follow the published forms: a draft whose forms differ is previewed
    on the primary database (a builder adding a dashboard leaves the forms alone: still the mirror)."""
    if published.dump()["forms"] == draft.dump()["forms"]:
        return settings
    return settings.model_copy(update={"mirror": "off"})


MAX_POINT_CHARS = 10_000
"""A point is a few dimension values: this is far more than one needs, and bounds the JSON read."""


def _point(text: str) -> list[Any]:
    """The dimension values of a drill `point`: a JSON array of scalars, nothing nested."""
    bad = BadQuery("point 应为维度值的 JSON 数组", "point must be a JSON array of dimension values", field="point")
    if len(text) > MAX_POINT_CHARS:
        raise BadQuery(f"point 最多 {MAX_POINT_CHARS} 个字符", f"point has at most {MAX_POINT_CHARS} characters",
                       field="point")
    try:
        values = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError):  # RecursionError: brackets nested past the parser's depth
        raise bad from None
    if not isinstance(values, list) or any(isinstance(v, list | dict) for v in values):
        raise bad
    return [int(v) if isinstance(v, bool) else v for v in values]


@router.get("/apps/{app}/reports/{report}/widgets/{widget}/drill")
def drill(app: str, report: str, widget: str, request: Request, db: DB, mirror: MirrorDB, settings: AppSettings,
          guard: Gatekeeper, point: str = "[]", limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
          cursor: str | None = None, sort: str | None = None) -> Any:
    """The records behind one point (a row's `keys` entry, or `others` for the "其他" row; a KPI's `[]`, its
    value in the current period), as a records list with the same filters."""
    definition, found = _report(db, guard, app, report)
    chosen = _widget(found, widget)
    filters = found.filters_for(chosen.key, _filters(request, found))
    rc = _context(request, db, mirror, settings, guard)
    _stored_scoped(rc, guard, definition, chosen, filters)
    values = None if point == "others" else _point(point)  # "others": the "其他" row
    where = drilled_where(rc, definition, chosen, filters, db.dialect, values)
    with db.read() as conn:
        gate = guard.form(conn, app, chosen.form, "read")
        scope = gate.where("read")
        sort_keys = listing.parse_sort(gate.ref, sort, conn.dialect.name)
        gate.check_query_keys([k.key for k in sort_keys])
        query_ = listing.ListQuery(sort=sort_keys, limit=limit, cursor=cursor,
                                   where=where + ([scope] if scope is not None else []))
        page = listing.list_records(conn, gate.ref, query_, change_for(request, guard.actor).ctx)
        body = {"items": shown_records(gate, page.items), "next_cursor": page.next_cursor}
    return JSONResponse(body)


@router.get("/apps/{app}/reports/{report}/widgets/{widget}/export")
def export_widget(app: str, report: str, widget: str, request: Request, db: DB, mirror: MirrorDB,
                  settings: AppSettings, guard: Gatekeeper, format: str = "csv", engine: str | None = None) -> Any:
    """The widget's data as a file: `format=csv` (UTF-8 with BOM) or `xlsx`."""
    if format not in MEDIA:
        raise BadQuery("format 应为 csv 或 xlsx", "format must be csv or xlsx", field="format")
    definition, found = _report(db, guard, app, report)
    chosen = _widget(found, widget)
    filters = found.filters_for(chosen.key, _filters(request, found))
    rc = _context(request, db, mirror, settings, guard)
    _stored_scoped(rc, guard, definition, chosen, filters)
    result = run_widget(rc, definition, chosen, filters, engine)
    name = f"{chosen.name or chosen.key}.{format}"
    disposition = f"attachment; filename=\"{chosen.key}.{format}\"; filename*=UTF-8''{quote(name)}"
    return Response(export(result, format), media_type=MEDIA[format], headers={"Content-Disposition": disposition})


@router.post("/mirror/sync", dependencies=[NO_RECORDS])  # the mirror's own state, not records
def sync_mirror(request: Request, db: DB, mirror: MirrorDB, user: CurrentUser, full: bool = False) -> Any:
    """Bring the analytics mirror up to date now (`full=true` rebuilds every table); administrators."""
    require_admin(user)
    if not isinstance(mirror, Mirror):  # a published copy: its owner syncs it
        raise MirrorNotOwned("此进程只读分析镜像的发布副本，由其所有者（worker）同步",
                             "this process reads a published copy of the analytics mirror: its owner (the worker) syncs it")
    return JSONResponse(sync(db, mirror, change_for(request, user).now, full=full).as_dict())


@router.get("/mirror", dependencies=[NO_RECORDS])
def mirror_state(db: DB, mirror: MirrorDB, user: CurrentUser) -> Any:
    """The mirror's sync state: as of when, the history watermark, each table's row count, and the records
    left out because a value could not be copied (`skipped`; reports on their form use the primary
    database); administrators only (the counts cover every app and every record, whatever a user's rights)."""
    require_admin(user)
    try:
        with mirror.read() as conn:
            state = mirror.state(conn)
    except MirrorUnavailable:  # nothing published yet
        state = SyncState()
    # a published copy is current as of its pointer's moment (the owner's last sync that found it current)
    as_of = state.synced_at if mirror.owned else (moment.replace(tzinfo=None) if (moment := mirror.as_of()) else None)
    return JSONResponse({"owner": mirror.owned, "as_of": as_of.isoformat() + "Z" if as_of else None,
                         "watermark": state.watermark, "gaps": len(state.gaps),
                         "skipped": sum(state.skipped.values()),
                         "tables": {k: {"rows": v[1], "skipped": state.skipped.get(k, 0)}
                                    for k, v in sorted(state.tables.items())}})
