"""Uploaded files: bytes under `<data_dir>/files/`, metadata in the files table; records hold the metadata."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Row, insert, select

from engine.errors import BadQuery, NotFound
from runtime.storage.context import Change
from runtime.storage.tables import files

CHUNK = 1 << 20


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
                    raise BadQuery(f"文件超过 {max_bytes // (1 << 20)} MB", f"the file exceeds {max_bytes} bytes",
                                   field="file")
                digest.update(chunk)
                out.write(chunk)
        meta = {"id": file_id, "name": name[:255] or "file", "size": size,
                "content_type": content_type or "application/octet-stream"}
        conn.execute(insert(files).values(**meta, sha256=digest.hexdigest(), created_at=change.now,
                                          created_by=change.actor.username))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return meta


def get_file(conn: Connection, file_id: str) -> Row[Any]:
    row = conn.execute(select(files).where(files.c.id == file_id)).first()
    if row is None:
        raise NotFound(f"文件 {file_id} 不存在", f"no file {file_id!r}")
    return row
