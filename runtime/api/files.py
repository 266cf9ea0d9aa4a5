"""File uploads for attachment fields: upload first, then put the returned metadata in the record.

A file can be downloaded by its uploader and administrators, and by anyone who may read a record that
holds it in a field they can see: name the record with `?app=&form=&record=` (the UI knows it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import FileResponse

from engine.errors import NotFound
from runtime.api.deps import DB, AppSettings, CurrentUser, IdQuery, change_for
from runtime.api.guard import NO_RECORDS, Gatekeeper
from runtime.permissions.check import Guard
from runtime.records import records
from runtime.records.files import file_path, get_file, save_file

router = APIRouter(prefix="/api/v1/files", tags=["files"])


@router.post("", status_code=201, dependencies=[NO_RECORDS])
def upload(file: UploadFile, request: Request, db: DB, user: CurrentUser, settings: AppSettings) -> Any:
    """Multipart upload (field `file`) → `{"id", "name", "size", "content_type"}`."""
    with db.write() as conn:
        return save_file(conn, settings.data_dir, file.file, file.filename or "file", file.content_type or "",
                         change_for(request, user), max_bytes=settings.max_upload_mb << 20)


def _held_by(conn: Any, guard: Guard, file_id: str, app: str, form: str, record_id: int) -> bool:
    """Whether the record, readable by the actor, holds the file in an attachment field they can see."""
    gate = guard.form(conn, app, form, "read")
    gate.require_record(record_id, "read")
    data = records.get(conn, gate.ref, record_id).data
    for key in gate.visible_keys:
        if gate.ref.form.by_key[key].type == "attachment":
            if any(isinstance(f, dict) and f.get("id") == file_id for f in data.get(key) or []):
                return True
    return False


@router.get("/{file_id}")
def download(file_id: str, db: DB, guard: Gatekeeper, settings: AppSettings, app: str | None = None,
             form: str | None = None, record: IdQuery = None) -> Any:
    with db.read() as conn:
        meta = get_file(conn, file_id)
        mine = guard.actor.is_admin or meta.created_by == guard.actor.username
        if not mine and not (app and form and record is not None and _held_by(conn, guard, file_id, app, form, record)):
            raise NotFound(f"文件 {file_id} 不存在", f"no file {file_id!r}")
    # always a download, never rendered in our origin, and the browser may not guess another type
    return FileResponse(file_path(settings.data_dir, meta.id), media_type=meta.content_type, filename=meta.name,
                        content_disposition_type="attachment", headers={"X-Content-Type-Options": "nosniff"})
