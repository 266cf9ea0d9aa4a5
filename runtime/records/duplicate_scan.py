"""查重 in the background (issue 26): a form's scan for likely duplicates runs as a job (kind
`duplicate_scan`), one per form at a time, its progress on the form's `duplicate_scans` row, and what it
found replaces the form's stored pairs (`duplicate_links`) in one transaction with the job's completion. The
查重 page and `GET …/duplicates/groups` read those pairs (duplicate_groups.stored_groups), so opening them
compares nothing.

A scan is "active" while its job may still run (pending, running, or failed and to be retried): starting
again then joins it. A scan whose job died (a worker killed past its last attempt) is not active, so it can
never hold the form for ever."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from runtime.apps import definitions
from runtime.db.db import Database
from runtime.db.tables import duplicate_links, duplicate_scans, jobs
from runtime.jobs import outbox
from runtime.jobs.job_run import LeaseLost
from runtime.records.duplicate_groups import find_links

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
PROGRESS_SECONDS = 1.0  # the progress row is written at most this often (a write transaction each)
_INSERT_CHUNK = 2000


def scan_of(conn: Connection, app: str, form: str) -> Row[Any] | None:
    """The form's last (or running) scan, None before the first."""
    c = duplicate_scans.c
    return conn.execute(select(duplicate_scans).where(c.app == app, c.form == form)).first()


def is_active(conn: Connection, scan: Row[Any] | None) -> bool:
    """Is the scan queued or running with a job that may still run it?"""
    if scan is None or scan.status not in ACTIVE or scan.job_id is None:
        return False
    status = conn.scalar(select(jobs.c.status).where(jobs.c.id == scan.job_id))
    return status in ("pending", "running", "failed")


def start(conn: Connection, app: str, form: str, now: datetime) -> tuple[Row[Any], bool]:
    """Queue a scan of the form, or join the one active: (its row, whether this call started it). The row is
    made first and then locked (PostgreSQL), so two concurrent starts queue one job."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(duplicate_scans).values(
        app=app, form=form, status="new", done=0, total=0, started_at=now, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["app", "form"]))
    c = duplicate_scans.c
    query = select(duplicate_scans).where(c.app == app, c.form == form)
    scan = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql" else query).first()
    if is_active(conn, scan):
        assert scan is not None
        return scan, False
    job_id = outbox.enqueue(conn, "duplicate_scan", {"app": app, "form": form}, now, max_attempts=2)
    conn.execute(update(duplicate_scans).where(c.app == app, c.form == form).values(
        status="queued", job_id=job_id, done=0, total=0, started_at=now, error=None, updated_at=now))
    started = scan_of(conn, app, form)
    assert started is not None
    return started, True


def status_json(conn: Connection, app: str, form: str) -> dict[str, Any]:
    """The form's scan as the API shows it (as_json); one queued or running whose job died is `failed`, so a
    page following it stops and offers to start again."""
    scan = scan_of(conn, app, form)
    died = scan is not None and scan.status in ACTIVE and not is_active(conn, scan)
    return as_json(scan, "failed" if died else None)


def as_json(scan: Row[Any] | None, status: str | None = None) -> dict[str, Any]:
    """The scan as the API shows it to any reader of the form: a percentage, not counts of records (those
    would count records the reader may not read)."""
    if scan is None or scan.status == "new":
        return {"status": "none", "progress": 0, "started_at": None, "generated_at": None}
    progress = 100 if scan.status == "done" else (scan.done * 100 // scan.total if scan.total else 0)
    return {
        "status": status or scan.status,
        "progress": progress,
        "started_at": scan.started_at.isoformat(),
        "generated_at": scan.generated_at.isoformat() if scan.generated_at is not None else None,
    }


def execute(db: Database, job_id: int, app: str, form: str, finish: Callable[[Connection], None],
            tick: Callable[[], datetime]) -> None:
    """The job's work: find the form's pairs over all its live records and store them in place of the last
    scan's, with `finish` (the job's completion) in that transaction. A job that is not the scan's current
    one (superseded) does nothing; any failure is the scan's result (status failed), never a retry loop."""
    c = duplicate_scans.c
    mine = (c.app == app, c.form == form, c.job_id == job_id)
    with db.write() as conn:
        if conn.execute(update(duplicate_scans).where(*mine).values(
                status="running", done=0, total=0, updated_at=tick())).rowcount != 1:
            return
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] < PROGRESS_SECONDS and done < total:
            return
        last[0] = time.monotonic()
        with db.write() as w:
            w.execute(update(duplicate_scans).where(*mine).values(done=done, total=total, updated_at=tick()))

    try:
        with db.read() as conn:
            ref = definitions.form_ref(conn, app, form)
            found = find_links(conn, ref, ref.form.duplicate_rules, progress)
        with db.write() as conn:
            conn.execute(delete(duplicate_links).where(duplicate_links.c.app == app, duplicate_links.c.form == form))
            rows = [{"app": app, "form": form, "first_id": a, "second_id": b, "rule": r} for a, b, r in found]
            for i in range(0, len(rows), _INSERT_CHUNK):
                conn.execute(insert(duplicate_links), rows[i : i + _INSERT_CHUNK])
            now = tick()
            conn.execute(update(duplicate_scans).where(*mine).values(
                status="done", generated_at=now, error=None, updated_at=now))
            finish(conn)
    except LeaseLost:
        raise  # another worker has the job now and does the scan; this one's writes rolled back
    except Exception as e:  # the page must hear the scan ended, not poll a running one for ever
        log.exception("duplicate scan of %s/%s failed", app, form)
        with db.write() as conn:
            conn.execute(update(duplicate_scans).where(*mine).values(
                status="failed", error=f"{type(e).__name__}: {e}"[:2000], updated_at=tick()))


__all__ = ["ACTIVE", "as_json", "execute", "is_active", "scan_of", "start", "status_json"]
