"""Exports of a whole list from the list page (runtime/io/exports.py): start one, follow its progress.

The list is the one GET …/records shows for the same query parameters (filter[…], filter, q, sort) and the
columns are `fields` (the view's columns). Up to `export_background_rows` rows the file is made during the
request (201, status done); past it a background job makes it (202, status pending) and
GET /api/v1/exports/{id} tells its progress. The finished file downloads from /api/v1/exports/{id}/download
until it expires (export_retention_hours, 系统设置 over the environment, 24 h by default: runtime/io/retention.py), then that answers 410."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import select

from runtime.api.deps import DB, AppSettings, CurrentUser, Id, change_for
from runtime.api.guard import NO_RECORDS, Gatekeeper
from runtime.db.tables import exports as exports_table
from runtime.io import exports, retention
from runtime.jobs import outbox
from runtime.records.files import file_path, get_file

router = APIRouter(tags=["import and export"])

RECENT = 20


@router.post("/api/v1/apps/{app}/forms/{form}/records/exports")
def start_export(
    app: str,
    form: str,
    request: Request,
    db: DB,
    guard: Gatekeeper,
    settings: AppSettings,
    format: Literal["xlsx", "csv"] = "xlsx",
    encoding: Literal["utf-8", "gbk"] = "utf-8",
) -> Any:
    """Export every record of the list (not one page) with the view's columns; needs the export right,
    hidden fields are refused (422/400), the actor's read scope applies. Audited when the file is made."""
    params = exports.list_params(request.query_params.multi_items())
    change = change_for(request, guard.actor)
    with db.read() as conn:
        gate = guard.form(conn, app, form, "export")
        query, _ = exports.gate_query(gate, params, request.app.state.limits.expression_chars, change)
        total = exports.count(gate, query, change)
        hours = retention.export_hours(conn, settings)
    background = total > settings.export_background_rows
    with db.write() as conn:
        export_id = exports.create(conn, guard.actor, app, form, format, encoding, params, total, guard.now)
        if background:
            apps = sorted(guard.actor.apps) if guard.actor.apps is not None else None
            outbox.enqueue(
                conn,
                "export",
                {"export_id": export_id, "apps": apps},
                guard.now,
                key=f"export:{export_id}",
                max_attempts=2,
            )
            return JSONResponse(exports.status_json(exports.get(conn, export_id, guard.actor), hours), status_code=202)
    row = exports.run(db, export_id, guard.actor, guard.now, settings)
    return JSONResponse(exports.status_json(row, hours), status_code=201)


@router.get("/api/v1/exports/{export_id}", dependencies=[NO_RECORDS])
def export_status(export_id: Id, db: DB, user: CurrentUser, settings: AppSettings) -> Any:
    """One of the user's exports: `status` pending | running | done | failed | expired, `done` of `total`
    rows, `download` and `expires_at` when done."""
    with db.read() as conn:
        return exports.status_json(exports.get(conn, export_id, user), retention.export_hours(conn, settings))


@router.get("/api/v1/exports/{export_id}/download", dependencies=[NO_RECORDS])
def download_export(export_id: Id, db: DB, user: CurrentUser, settings: AppSettings) -> Any:
    """The finished file, as an attachment; 410 `gone` once it has expired (export_retention_hours), 409
    while it is being made."""
    with db.read() as conn:
        meta = get_file(conn, exports.download_file(exports.get(conn, export_id, user), retention.export_hours(conn, settings)))
    return FileResponse(file_path(settings.data_dir, meta.id), media_type=meta.content_type, filename=meta.name,
                        content_disposition_type="attachment", headers={"X-Content-Type-Options": "nosniff"})


@router.get("/api/v1/exports", dependencies=[NO_RECORDS])
def my_exports(db: DB, user: CurrentUser, settings: AppSettings, limit: Annotated[int, Query(ge=1, le=100)] = RECENT) -> Any:
    """The user's newest exports, newest first."""
    with db.read() as conn:
        rows = conn.execute(
            select(exports_table)
            .where(exports_table.c.username == user.username)
            .order_by(exports_table.c.id.desc())
            .limit(limit)
        )
        return {"items": [exports.status_json(r, retention.export_hours(conn, settings)) for r in rows]}
