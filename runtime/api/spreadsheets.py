"""Import records from CSV/Excel and export them, under a form's records path.

Included before the records router: `/records/export` must not be read as a record id."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response, StreamingResponse

from engine.errors import BadFile, BadQuery
from engine.expr.evaluate import EvalContext
from runtime.api.deps import DB, AppSettings, CurrentUser, change_for
from runtime.api.records import conditions
from runtime.io import records as records_io
from runtime.io.spreadsheet import csv_bytes, csv_lines, read_sheet, xlsx_bytes
from runtime.storage import definitions, listing
from runtime.storage.context import Change, FormRef
from runtime.storage.db import Database
from runtime.storage.expressions import filter_clause
from runtime.storage.tables import records as records_table

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/records", tags=["import and export"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header
MAX_SELECTED = 10_000


def _download(name: str) -> dict[str, str]:
    """A Content-Disposition that keeps a Chinese file name (RFC 6266 filename*)."""
    return {"Content-Disposition": f"attachment; filename=\"export\"; filename*=UTF-8''{quote(name)}"}


def _keys(ref: FormRef, fields: str | None) -> list[str]:
    if not fields:
        return [f.key for f in ref.form.fields]
    keys = [k.strip() for k in fields.split(",") if k.strip()]
    for key in keys:
        if key not in ref.form.by_key:
            raise BadQuery(f"表单“{ref.form.name}”没有字段 {key}", f"form {ref.form.key!r} has no field {key!r}",
                           field="fields")
    return keys


def _ids(text: str | None) -> list[int] | None:
    """`ids=1,2,3`: just these records (the list page's selection)."""
    if text is None:
        return None
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadQuery("ids 应为逗号分隔的记录编号", "ids must be comma-separated record ids", field="ids") from None
    if not 1 <= len(ids) <= MAX_SELECTED:
        raise BadQuery(f"请选择 1 到 {MAX_SELECTED} 条记录", f"select 1 to {MAX_SELECTED} records", field="ids")
    return ids


def _query(conn: Any, ref: FormRef, request: Request, change: Change, sort: str | None,
           expression: str | None, ids: list[int] | None) -> listing.ListQuery:
    where: list[Any] = [] if ids is None else [records_table.c.id.in_(ids)]
    if expression is not None:
        ctx = EvalContext(change.now, change.timezone, change.actor.username)
        where.append(filter_clause(ref, expression, conn.dialect.name, ctx))
    query = listing.ListQuery(conditions(request), listing.parse_sort(ref, sort, conn.dialect.name),
                              records_io.EXPORT_PAGE, None, False, where)
    listing.build_select(conn, ref, query, change.ctx)  # a bad filter or sort is a 400 before any byte is sent
    return query


@router.get("/export")
def export_records(app: str, form: str, request: Request, db: DB, user: CurrentUser,
                   format: Literal["csv", "xlsx"] = "csv", sort: str | None = None, fields: str | None = None,
                   filter: Annotated[str | None, Query(alias="filter")] = None, ids: str | None = None) -> Any:
    """Every matching record (the list's filters and sort, or `ids=1,2,3`) as CSV (UTF-8 with BOM,
    streamed) or xlsx."""
    change = change_for(request, user)
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
        keys = _keys(ref, fields)
        query = _query(conn, ref, request, change, sort, filter, _ids(ids))
    header = records_io.export_header(ref.form, keys)
    name = f"{ref.form.name}.{format}"
    if format == "xlsx":
        with db.read() as conn:
            rows = []
            for row in records_io.export_rows(conn, ref, query, keys, change):
                rows.append(row)
                if len(rows) > XLSX_MAX_ROWS:
                    raise BadQuery(f"Excel 一个工作表最多 {XLSX_MAX_ROWS} 行，请导出为 CSV 或加筛选条件",
                                   f"more than {XLSX_MAX_ROWS} rows do not fit one Excel sheet; export CSV",
                                   field="format")
        return Response(xlsx_bytes(header, rows, ref.form.name), media_type=XLSX, headers=_download(name))
    return StreamingResponse(_csv_stream(db, ref, query, keys, change, header), media_type="text/csv; charset=utf-8",
                             headers=_download(name))


def _csv_stream(db: Database, ref: FormRef, query: listing.ListQuery, keys: list[str], change: Change,
                header: list[str]) -> Iterator[bytes]:
    yield csv_bytes(header, [])
    with db.read() as conn:
        batch: list[list[Any]] = []
        for row in records_io.export_rows(conn, ref, query, keys, change):
            batch.append(row)
            if len(batch) == records_io.EXPORT_PAGE:
                yield csv_lines(batch)
                batch = []
        if batch:
            yield csv_lines(batch)


@router.get("/import-template")
def import_template(app: str, form: str, db: DB, user: CurrentUser, format: Literal["csv", "xlsx"] = "xlsx") -> Any:
    """An empty sheet whose header is the form's writable fields (required ones marked *)."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, app, form)
    header = [f.label + ("*" if f.required else "") for f in ref.form.writable]
    name = f"{ref.form.name}-导入模板.{format}"
    if format == "csv":
        return Response(csv_bytes(header, []), media_type="text/csv; charset=utf-8", headers=_download(name))
    return Response(xlsx_bytes(header, [], ref.form.name), media_type=XLSX, headers=_download(name))


@router.post("/import", status_code=201)
def import_records(app: str, form: str, file: UploadFile, request: Request, db: DB, user: CurrentUser,
                   settings: AppSettings, dry_run: bool = False) -> Any:
    """Multipart `file` (CSV or Excel): one record per row, all or nothing. `dry_run=true` checks every
    row and writes nothing. 422 lists problems as `rows[N].<field>` (N: the spreadsheet row)."""
    limit = settings.max_upload_mb << 20
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise BadFile(f"文件超过 {settings.max_upload_mb} MB", f"the file is over {settings.max_upload_mb} MB",
                      field="file")
    sheet = read_sheet(data, file.filename)
    with db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        savepoint = conn.begin_nested()
        made = records_io.import_records(conn, ref, sheet, change_for(request, user))
        if dry_run:
            savepoint.rollback()
            return JSONResponse({"dry_run": True, "rows": len(made), "created": 0})
        savepoint.commit()
    return JSONResponse({"dry_run": False, "rows": len(made), "created": len(made), "ids": [r.id for r in made]},
                        status_code=201)
