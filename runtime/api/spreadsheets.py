"""Import records from CSV/Excel and export them, under a form's records path, through the permission gate.

Included before the records router: `/records/export` must not be read as a record id."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from engine.errors import BadQuery, UploadTooLarge
from engine.forms.fields.relation import MAX_ID
from runtime import audit
from runtime.api.deps import DB, AppSettings, change_for
from runtime.api.guard import Gatekeeper
from runtime.api.records import list_query
from runtime.db.tables import records as records_table
from runtime.io import imports
from runtime.io import records as records_io
from runtime.io.exports import csv_content, export_keys
from runtime.io.import_files import template_bytes
from runtime.io.spreadsheet import SheetLimits, csv_bytes, read_sheet, xlsx_bytes
from runtime.permissions.check import FormGate
from runtime.records import listing
from runtime.records.context import Change

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["import and export"])

MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "jsonl": "application/x-ndjson"}
MAX_EXPORT_ROWS = 1_048_575  # Excel's sheet limit, less the header; CSV keeps the same bound
MAX_SELECTED = 10_000


def _download(name: str) -> dict[str, str]:
    """A Content-Disposition that keeps a Chinese file name (RFC 6266 filename*)."""
    return {"Content-Disposition": f"attachment; filename=\"export\"; filename*=UTF-8''{quote(name)}"}


def _ids(text: str | None) -> list[int] | None:
    """`ids=1,2,3`: just these records (the list page's selection)."""
    if text is None:
        return None
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
        if not all(1 <= i <= MAX_ID for i in ids):  # beyond a 64-bit id the driver would overflow
            raise ValueError
    except ValueError:
        raise BadQuery("ids 应为逗号分隔的记录编号", "ids must be comma-separated record ids", field="ids") from None
    if not 1 <= len(ids) <= MAX_SELECTED:
        raise BadQuery(f"请选择 1 到 {MAX_SELECTED} 条记录", f"select 1 to {MAX_SELECTED} records", field="ids")
    return ids


def _query(gate: FormGate, request: Request, sort: str | None, expression: str | None,
           ids: list[int] | None, change: Change) -> listing.ListQuery:
    """The list's query inside the actor's read scope, checked before any byte is sent."""
    query = list_query(gate, request, sort, records_io.EXPORT_PAGE, None, False, expression)
    if ids is not None:
        query = replace(query, where=[*query.where, records_table.c.id.in_(ids)])
    listing.build_select(gate.conn, gate.ref, query, change.ctx)
    return query


@router.get("/export")
def export_records(app: str, form: str, request: Request, db: DB, guard: Gatekeeper,
                   format: Literal["csv", "xlsx", "jsonl"] = "csv", sort: str | None = None,
                   fields: str | None = None, filter: Annotated[str | None, Query(alias="filter")] = None,
                   ids: str | None = None, encoding: Literal["utf-8", "gbk"] = "utf-8") -> Any:
    """Every record the actor's list would show (its filters, search and sort, or `ids=1,2,3`) with the fields
    they may see, as CSV (UTF-8 with BOM; `encoding=gbk` for older Excel), xlsx or JSON lines; needs the
    export right. Audited. (The list page's 导出 uses POST …/records/exports, which goes to the background
    when the list is large.)"""
    change = change_for(request, guard.actor)
    with db.read() as conn:
        gate = guard.form(conn, app, form, "export")
        keys = export_keys(gate, fields)
        query = _query(gate, request, sort, filter, _ids(ids), change)
        content, count = _render(gate, query, keys, change, format, encoding)
    with db.write() as conn:
        audit.write(conn, "record.export", guard.actor, guard.now, app=app, form=form,
                    detail={"count": count, "format": format, "filter": filter, "sort": sort, "ids": ids,
                            **({"encoding": encoding} if encoding != "utf-8" else {})})
    media = "text/csv; charset=gb18030" if format == "csv" and encoding == "gbk" else MEDIA[format]
    return Response(content, media_type=media, headers=_download(f"{gate.ref.form.name}.{format}"))


def _render(gate: FormGate, query: listing.ListQuery, keys: list[str], change: Change,
            fmt: str, encoding: str = "utf-8") -> tuple[bytes, int]:
    """(file bytes, record count)."""
    if fmt == "jsonl":
        lines = [json.dumps({"id": r.id, "data": gate.masked_data({k: r.data[k] for k in keys if k in r.data}),
                             "owner": r.owner,
                             "department": r.department}, ensure_ascii=False) + "\n"
                 for items in records_io.export_pages(gate.conn, gate.ref, query, change) for r in items]
        return "".join(lines).encode("utf-8"), len(lines)
    rows = []
    for row in records_io.export_rows(gate.conn, gate.ref, query, keys, change, gate.readable_titles, gate.masked):
        rows.append(row)
        if len(rows) > MAX_EXPORT_ROWS:
            raise BadQuery(f"一次最多导出 {MAX_EXPORT_ROWS} 行，请加筛选条件", f"at most {MAX_EXPORT_ROWS} rows per export",
                           field="filter")
    header = records_io.export_header(gate.ref.form, keys)
    content = xlsx_bytes(header, rows, gate.ref.form.name) if fmt == "xlsx" else csv_content(header, rows, encoding)
    return content, len(rows)


@router.get("/import-template")
def import_template(app: str, form: str, db: DB, guard: Gatekeeper, format: Literal["csv", "xlsx"] = "xlsx") -> Any:
    """An empty sheet whose header is the writable fields the actor may see (required ones marked *); the
    xlsx is the import wizard's template (drop-downs, an example row, the rules as comments)."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "import")
    unwritable = gate.hidden | gate.masked
    header = [f.label + ("*" if f.required else "") for f in gate.ref.form.writable if f.key not in unwritable]
    name = f"{gate.ref.form.name}-导入模板.{format}"
    if format == "csv":
        return Response(csv_bytes(header, []), media_type=MEDIA["csv"], headers=_download(name))
    return Response(template_bytes(gate.ref.form, unwritable), media_type=MEDIA["xlsx"], headers=_download(name))


@router.post("/import", status_code=201)
def import_records(app: str, form: str, file: UploadFile, request: Request, db: DB, guard: Gatekeeper,
                   settings: AppSettings, dry_run: bool = False) -> Any:
    """Multipart `file` (CSV or Excel): one record per row, all or nothing; needs the import and create
    rights. `dry_run=true` checks every row and writes nothing. 422 lists problems as `rows[N].<field>`
    (N: the spreadsheet row)."""
    limit = settings.max_upload_mb << 20
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(f"文件超过 {settings.max_upload_mb} MB", f"the file is over {settings.max_upload_mb} MB",
                             field="file", limit="max_upload_mb", max=settings.max_upload_mb)
    change = change_for(request, guard.actor)
    with db.read() as conn:  # every row is parsed and checked before the write lock is taken
        gate = guard.form(conn, app, form, "import")
        gate.require("create")
        sheet = read_sheet(data, file.filename, SheetLimits.from_settings(settings))
        change = gate.writing(change)  # relations may name only records the importer may read
        prepared = imports.prepare(conn, gate.ref, sheet, change, hidden=gate.hidden,
                                   check=lambda items: gate.check_write(items, prefix=True))
    if dry_run:
        return JSONResponse({"dry_run": True, "rows": prepared.rows, "created": 0})
    made = imports.write(db, prepared, change, lambda conn, made: audit.write(
        conn, "record.import", guard.actor, guard.now, app=app, form=form,
        detail={"count": len(made), "file": file.filename}))
    return JSONResponse({"dry_run": False, "rows": len(made), "created": len(made), "ids": [r.id for r in made]},
                        status_code=201)
