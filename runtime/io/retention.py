"""Files that expire: a finished export's file (`export_retention_hours`, 24 h by default) and an import's
uploaded spreadsheet (`import_retention_hours`, 7 days; never while the import is queued or running).

Both are 系统设置 (section 文件保留, runtime/system_settings/catalog.py): the database's value over the
environment's (TANGRAM_EXPORT_RETENTION_HOURS, TANGRAM_IMPORT_RETENTION_HOURS), read at each round.
The job worker calls `expire` once a minute with its clock (runtime/jobs/worker.py). It looks in a read
transaction and takes the write lock only when something is due; the bytes are removed after the rows are
committed, so a crash in between leaves an orphan file, never a row pointing at nothing. An expired export
keeps its row (status `expired`, what the list page shows as 已过期) and its download answers 410."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, select, update

from engine.errors import Gone
from runtime.db.db import Database
from runtime.db.tables import exports, files, import_runs
from runtime.records.files import file_path
from runtime.settings import Settings
from runtime.system_settings import store

BUSY_IMPORTS = ("queued", "running")  # an import reading its upload keeps it whatever its age


@dataclass(frozen=True)
class Expired:
    """What one round removed."""

    exports: int = 0
    imports: int = 0


def due_exports(conn: Connection, now: datetime, hours: float) -> list[tuple[int, str]]:
    """(export id, file id) of the finished exports older than `hours`."""
    cutoff = now - timedelta(hours=hours)
    rows = conn.execute(
        select(exports.c.id, exports.c.file_id).where(
            exports.c.status == "done", exports.c.finished_at < cutoff, exports.c.file_id.is_not(None)
        )
    )
    return [(r.id, r.file_id) for r in rows]


def due_uploads(conn: Connection, now: datetime, hours: float) -> list[str]:
    """File ids of the uploads of imports untouched for `hours` and not at work, still in the file store."""
    cutoff = now - timedelta(hours=hours)
    rows = conn.execute(
        select(import_runs.c.file_id)
        .join(files, files.c.id == import_runs.c.file_id)
        .where(import_runs.c.updated_at < cutoff, import_runs.c.status.not_in(BUSY_IMPORTS))
    )
    return sorted({r.file_id for r in rows})


def export_hours(conn: Connection, base: Settings) -> float:
    """How long a finished export's file is kept: 系统设置 over the environment."""
    return store.effective(conn, base, secrets=False).export_retention_hours


def expire(db: Database, base: Settings, now: datetime) -> Expired:
    """Delete the files whose time is up and mark their exports expired; what was removed."""
    with db.read() as conn:
        settings = store.effective(conn, base, secrets=False)
        old_exports = due_exports(conn, now, settings.export_retention_hours)
        old_uploads = due_uploads(conn, now, settings.import_retention_hours)
    if not old_exports and not old_uploads:
        return Expired()
    with db.write() as conn:
        # checked again under the lock: an import queued meanwhile keeps its upload
        old_exports = due_exports(conn, now, settings.export_retention_hours)
        old_uploads = due_uploads(conn, now, settings.import_retention_hours)
        if old_exports:
            conn.execute(
                update(exports)
                .where(exports.c.id.in_([i for i, _ in old_exports]))
                .values(status="expired", file_id=None)
            )
        gone = [f for _, f in old_exports] + old_uploads
        conn.execute(delete(files).where(files.c.id.in_(gone)))
    for file_id in gone:
        _unlink(settings.data_dir, file_id)
    return Expired(len(old_exports), len(old_uploads))


def _unlink(root: Path, file_id: str) -> None:
    file_path(root, file_id).unlink(missing_ok=True)


def export_expired(row: Any, hours: float) -> Gone:
    """The 410 of an expired export's download."""
    return Gone(
        f"导出文件已过期（导出文件保留 {hours:g} 小时），请重新导出",
        f"the export's file has expired (export files are kept {hours:g} hours); export again",
        export_id=row.id,
    )


def upload_expired(run: Any) -> Gone:
    """The 410 of an import whose uploaded file has been removed."""
    return Gone(
        f"导入 {run.id} 上传的文件已过期并已删除，请重新上传",
        f"the file uploaded for import {run.id} has expired and was removed; upload it again",
        field="file",
    )


__all__ = ["Expired", "due_exports", "due_uploads", "expire", "export_expired", "export_hours", "upload_expired"]
