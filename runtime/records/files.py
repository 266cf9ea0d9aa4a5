"""Uploaded files: bytes under `<data_dir>/files/`, metadata in the files table; records hold the metadata."""

from __future__ import annotations

import hashlib
import re
import secrets
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Row, insert, select

from engine.errors import NotFound, UploadTooLarge
from runtime.db.tables import files
from runtime.records.context import Change

CHUNK = 1 << 20
# type/subtype and parameters as RFC 9110 spells them; anything else is stored as octet-stream, so a
# client-chosen type can never smuggle a header or pass for HTML (downloads are attachments besides)
MEDIA_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,63}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
                        r"(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(\"[^\"\\\r\n]*\"|[A-Za-z0-9!#$&^_.+-]+))*")


def file_path(root: Path, file_id: str) -> Path:
    return root / "files" / file_id[:2] / file_id


def save_file(conn: Connection, root: Path, stream: BinaryIO, name: str, content_type: str, change: Change,
              *, max_bytes: int) -> dict[str, Any]:
    """Store an upload; refused when larger than `max_bytes` (nothing is kept then)."""
    file_id = secrets.token_hex(16)
    path = file_path(root, file_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    try:
        with path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(f"文件超过 {max_bytes // (1 << 20)} MB", f"the file exceeds {max_bytes} bytes",
                                         field="file", limit="max_upload_mb", max=max_bytes // (1 << 20))
                digest.update(chunk)
                out.write(chunk)
        meta = {"id": file_id, "name": name[:255] or "file", "size": size,
                "content_type": media_type(content_type)}
        conn.execute(insert(files).values(**meta, sha256=digest.hexdigest(), created_at=change.now,
                                          created_by=change.actor.username))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return meta


def media_type(declared: str) -> str:
    """The client's declared type when it is a well-formed media type that fits the column, else
    application/octet-stream."""
    declared = declared.strip()
    return declared if len(declared) <= 255 and MEDIA_TYPE.fullmatch(declared) else "application/octet-stream"


def get_file(conn: Connection, file_id: str) -> Row[Any]:
    row = conn.execute(select(files).where(files.c.id == file_id)).first()
    if row is None:
        raise NotFound(f"文件 {file_id} 不存在", f"no file {file_id!r}")
    return row
