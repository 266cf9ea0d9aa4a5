"""A list export too large to make during the request (runtime/io/exports.py): made here with its owner's
rights, its progress written as it goes."""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from runtime.accounts.users import user_by_name
from runtime.db.tables import exports
from runtime.io import exports as exports_io
from runtime.jobs.job_run import JobRun
from runtime.records.context import Actor

log = logging.getLogger(__name__)


def handle(run: JobRun) -> None:
    payload = run.job.payload
    export_id = int(payload["export_id"])
    with run.db.read() as conn:
        row = conn.execute(select(exports).where(exports.c.id == export_id)).first()
        user = user_by_name(conn, row.username) if row is not None else None
    if row is None or row.status in ("done", "failed"):
        return  # made already (a retry after the file was saved), or gone
    if user is None or not user.active:
        _failed(run, export_id, "导出人已停用")
        return
    apps = payload.get("apps")  # an API token limited to some apps stays limited in its export
    actor = Actor(user.username, user.id, user.is_admin, apps=frozenset(apps) if apps is not None else None)
    try:
        exports_io.run(run.db, export_id, actor, run.now, run.settings)
    except Exception as e:  # the page must hear the export ended, not poll a "running" one for ever
        log.warning("export %s failed: %s", export_id, e)
        _failed(run, export_id, f"{type(e).__name__}: {e}"[:2000])


def _failed(run: JobRun, export_id: int, message: str) -> None:
    with run.db.write() as conn:
        conn.execute(
            update(exports).where(exports.c.id == export_id).values(status="failed", error=message, finished_at=run.now)
        )
