"""Exports of a whole list from the list page: the records its filters, search and sort select, with the
view's columns, to xlsx or CSV (UTF-8 with BOM, or GBK for older Excel).

An export is a row of `exports` (its owner, the list's query parameters, progress, the finished file). A
small one is made during the request; past `export_background_rows` a job (kind "export") makes it while
the page shows its progress. Either way it runs through `run`: the owner's rights as they are when it runs
(export right, hidden fields refused, their read scope), the file saved to the file store as the owner's
(GET /api/v1/files/{id}), and one `record.export` audit entry, as the direct export writes."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, insert, select, update

from engine.errors import BadQuery, Conflict, EngineError, NotFound
from runtime import audit
from runtime.api.records import conditions_of, query_of
from runtime.db.db import Database
from runtime.db.tables import exports
from runtime.io import records as records_io
from runtime.io import retention
from runtime.io.spreadsheet import csv_lines, xlsx_bytes
from runtime.permissions.check import FormGate, Guard, unknown_field
from runtime.records import listing
from runtime.records.context import Actor, Change
from runtime.records.files import save_file
from runtime.settings import Settings
from runtime.system_settings import store as system_settings

MEDIA = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHARSETS = {"utf-8": "utf-8", "gbk": "gb18030"}  # as csv_content writes them
MAX_ROWS = 1_048_575  # Excel's sheet limit less the header; CSV keeps the same bound
PROGRESS_EVERY = 2000  # rows between two progress writes
LIST_PARAM = re.compile(r"^(filter(\[[^\]]+\](\[[a-z_]+\])?)?|sort|q|fields)$")


EXPORTED_SYSTEM_COLUMNS = ("id", "owner", "created_at", "updated_at", "created_by", "updated_by")
"""System columns an export may carry besides the fields (what the list page can show as columns)."""


def export_keys(gate: FormGate, fields: str | None) -> list[str]:
    """The exported columns: `fields=a,b` (the list view's columns; system columns such as id, owner and
    created_at too), else every field the actor may see; a hidden or unknown field is refused."""
    if not fields:
        return gate.visible_keys
    keys = [k.strip() for k in fields.split(",") if k.strip()]
    for key in keys:
        if key not in gate.ref.form.by_key and key not in EXPORTED_SYSTEM_COLUMNS:
            raise unknown_field(gate.ref, key)
    gate.check_keys([k for k in keys if k in gate.ref.form.by_key])
    return keys


def list_params(items: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The query parameters that say which list and which columns: filters, search, sort, fields."""
    return [[name, value] for name, value in items if LIST_PARAM.match(name)]


def media(fmt: str, encoding: str) -> str:
    """The file's media type; a CSV's names its charset, or the download would be served as UTF-8 whatever
    its bytes are."""
    return f"{MEDIA[fmt]}; charset={CHARSETS[encoding]}" if fmt == "csv" else MEDIA[fmt]


def csv_content(header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str) -> bytes:
    """A CSV file: UTF-8 with a BOM (Excel opens it as UTF-8), or GBK for Excel versions that ignore the
    BOM. GBK is written as GB18030, which is byte for byte GBK wherever GBK has the character and keeps the
    rare ones GBK lacks instead of losing them."""
    if encoding == "gbk":
        return (csv_lines([header]) + csv_lines(rows)).decode("utf-8").encode("gb18030")
    return b"\xef\xbb\xbf" + csv_lines([header]) + csv_lines(rows)


def file_name(form_name: str, fmt: str, now: datetime, zone: ZoneInfo) -> str:
    return f"{form_name}-{now.astimezone(zone):%Y%m%d-%H%M}.{fmt}"


def gate_query(
    gate: FormGate, params: list[list[str]], expression_chars: int, change: Change
) -> tuple[listing.ListQuery, list[str]]:
    """The list the parameters ask for, in the gate's read scope, and the exported columns; checked (a bad
    filter or a hidden field is a 4xx) before any row is read."""
    given = {name: value for name, value in params}
    query = query_of(
        gate,
        conditions_of((n, v) for n, v in params),
        given.get("sort"),
        records_io.EXPORT_PAGE,
        None,
        False,
        given.get("filter"),
        given.get("q"),
        expression_chars,
    )
    keys = export_keys(gate, given.get("fields"))
    listing.build_select(gate.conn, gate.ref, query, change.ctx)
    return query, keys


def count(gate: FormGate, query: listing.ListQuery, change: Change) -> int:
    """How many records the list holds (decides between the request and a background job)."""
    total = listing.list_records(gate.conn, gate.ref, replace(query, limit=1, count=True), change.ctx).total
    return int(total or 0)


def create(
    conn: Connection,
    actor: Actor,
    app: str,
    form: str,
    fmt: str,
    encoding: str,
    params: list[list[str]],
    total: int,
    now: datetime,
) -> int:
    """A new export, pending."""
    return int(
        conn.scalar(
            insert(exports)
            .values(
                username=actor.username or "",
                app=app,
                form=form,
                format=fmt,
                encoding=encoding,
                params=params,
                status="pending",
                total=total,
                done=0,
                created_at=now,
            )
            .returning(exports.c.id)
        )
    )


def get(conn: Connection, export_id: int, actor: Actor) -> Row[Any]:
    """An export of the actor's own (others' are as if they did not exist)."""
    row = conn.execute(select(exports).where(exports.c.id == export_id)).first()
    if row is None or row.username != actor.username:
        raise NotFound(f"导出任务 {export_id} 不存在", f"no export {export_id}")
    return row


def status_json(row: Row[Any], retention_hours: float) -> dict[str, Any]:
    """What the page polls: status, rows done of total, the download link when done and when the file
    expires (status `expired` once it has: the download then answers 410)."""
    expires = row.finished_at + timedelta(hours=retention_hours) if row.status == "done" else None
    return {
        "id": row.id,
        "app": row.app,
        "form": row.form,
        "status": row.status,
        "format": row.format,
        "encoding": row.encoding,
        "total": row.total,
        "done": row.done,
        "error": row.error,
        "download": f"/api/v1/exports/{row.id}/download" if row.status == "done" else None,
        "created_at": _iso(row.created_at),
        "expires_at": _iso(expires) if expires else None,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def download_file(row: Row[Any], retention_hours: float) -> str:
    """The file id of a finished export; 410 when it has expired, 409 while it is not made yet (or failed)."""
    if row.status == "expired":
        raise retention.export_expired(row, retention_hours)
    if row.status != "done" or not row.file_id:
        raise Conflict(f"导出任务 {row.id} 还没有文件（{row.status}）", f"export {row.id} has no file yet ({row.status})")
    return str(row.file_id)


class Progress:
    """The rows as they stream by: counted, the count written every PROGRESS_EVERY rows (the page shows
    it), and the sheet's bound enforced."""

    def __init__(self, db: Database, export_id: int, rows: Iterator[list[Any]]) -> None:
        self.db, self.export_id, self.rows, self.done = db, export_id, rows, 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self.rows:
            self.done += 1
            if self.done > MAX_ROWS:
                raise BadQuery(
                    f"一次最多导出 {MAX_ROWS} 行，请加筛选条件", f"at most {MAX_ROWS} rows per export", field="filter"
                )
            if self.done % PROGRESS_EVERY == 0:
                with self.db.write() as conn:
                    conn.execute(update(exports).where(exports.c.id == self.export_id).values(done=self.done))
            yield row


def run(db: Database, export_id: int, actor: Actor, now: datetime, settings: Settings) -> Row[Any]:
    """Make the file of a pending export with its owner's rights; a refusal (the right withdrawn since, a
    field hidden) ends it `failed` with the message. Returns the finished row."""
    zone = system_settings.site_zone(db, settings)
    with db.write() as conn:
        conn.execute(update(exports).where(exports.c.id == export_id).values(status="running"))
        row = conn.execute(select(exports).where(exports.c.id == export_id)).one()
    change = Change(actor, now, zone)
    try:
        with db.read() as conn:
            gate = Guard(actor, now, zone).form(conn, row.app, row.form, "export")
            query, keys = gate_query(gate, row.params, settings.limits().expression_chars, change)
            header = records_io.export_header(gate.ref.form, keys)
            rows = Progress(
                db,
                export_id,
                records_io.export_rows(conn, gate.ref, query, keys, change, gate.readable_titles, gate.masked),
            )
            content = (
                xlsx_bytes(header, rows, gate.ref.form.name)
                if row.format == "xlsx"
                else csv_content(header, rows, row.encoding)
            )
            name = file_name(gate.ref.form.name, row.format, now, zone)
    except EngineError as e:
        with db.write() as conn:
            conn.execute(
                update(exports)
                .where(exports.c.id == export_id)
                .values(status="failed", error=e.message[:2000], finished_at=now)
            )
            return conn.execute(select(exports).where(exports.c.id == export_id)).one()
    with db.write() as conn:
        stored = save_file(
            conn, settings.data_dir, io.BytesIO(content), name, media(row.format, row.encoding), change, max_bytes=len(content) + 1
        )
        conn.execute(
            update(exports)
            .where(exports.c.id == export_id)
            .values(status="done", done=rows.done, total=rows.done, file_id=stored["id"], finished_at=now)
        )
        audit.write(
            conn,
            "record.export",
            actor,
            now,
            app=row.app,
            form=row.form,
            detail={
                "count": rows.done,
                "format": row.format,
                "encoding": row.encoding,
                "export_id": export_id,
                "params": row.params,
            },
        )
        return conn.execute(select(exports).where(exports.c.id == export_id)).one()


__all__ = [
    "EXPORTED_SYSTEM_COLUMNS",
    "export_keys",
    "create",
    "csv_content",
    "get",
    "gate_query",
    "count",
    "list_params",
    "run",
    "status_json",
    "download_file",
    "MAX_ROWS",
]
