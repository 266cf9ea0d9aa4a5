"""File uploads for attachment fields: upload first, then put the returned metadata in the record."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import FileResponse

from runtime.api.deps import DB, AppSettings, CurrentUser, change_for
from runtime.storage.files import file_path, get_file, save_file

router = APIRouter(prefix="/api/v1/files", tags=["files"])


@router.post("", status_code=201)
def upload(file: UploadFile, request: Request, db: DB, user: CurrentUser, settings: AppSettings) -> Any:
    """Multipart upload (field `file`) → `{"id", "name", "size", "content_type"}`."""
    with db.write() as conn:
        return save_file(conn, settings.data_dir, file.file, file.filename or "file", file.content_type or "",
                         change_for(request, user), max_bytes=settings.max_upload_mb << 20)


@router.get("/{file_id}")
def download(file_id: str, db: DB, user: CurrentUser, settings: AppSettings) -> Any:
    with db.read() as conn:
        meta = get_file(conn, file_id)
    return FileResponse(file_path(settings.data_dir, meta.id), media_type=meta.content_type, filename=meta.name)
