"""The worker: claims due jobs, runs their handler, marks them done or schedules a retry with backoff.

`run_once(now)` / `run_due(now)` are the entry points tests call with an injected clock. The embedded mode
runs `EmbeddedWorker` (a thread of the server); `tangram worker` runs `serve` in its own process — on
PostgreSQL several may run at once (claims use FOR UPDATE SKIP LOCKED). SQLite has one writer at a time,
so there the in-process worker is all it needs.

Delivery is at least once: while a handler runs, its lease is renewed (jobs/lease.py); a worker that dies
stops renewing and another takes the job after the lease. A handler finishes its job in the transaction of
its database effects (`complete`), which refuses when the lease was lost, so those effects happen once; an
effect outside (a webhook, an e-mail) may be repeated, and carries the job's stable key as its delivery id."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row

from engine.errors import Busy
from runtime.db.db import Database, lock_wait_ended
from runtime.flows.flow_triggers import ensure_schedules
from runtime.io import retention
from runtime.jobs import outbox
from runtime.jobs.handlers import job_handlers
from runtime.jobs.job_run import JobRun, LeaseLost
from runtime.jobs.lease import LeaseKeeper
from runtime.records import staging
from runtime.settings import Settings
from runtime.system_settings import store as system_settings

log = logging.getLogger("tangram.worker")

SCHEDULE_CHECK_SECONDS = 60.0
"""How often a polling worker makes sure every schedule flow has its next run queued (a published app's new
schedules start within a minute)."""
CLEANUP_SECONDS = 3600.0
"""How often a polling worker removes the staged rows of imports that died (storage.staging); it also does
when it starts. Finding them reads the whole records table, so not every round."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def lease_of(settings: Settings) -> timedelta:
    return timedelta(seconds=settings.job_lease_seconds)


def run_job(db: Database, settings: Settings, job: Row[Any], now: datetime, worker: str) -> str:
    """Run one claimed job, renewing its lease meanwhile; its final status ("lost": another worker has it)."""
    with db.read() as conn:  # 系统设置 changed since the last job apply to this one
        settings = system_settings.effective(conn, settings)
    run = JobRun(db, job, now, worker, settings)
    try:
        handler = job_handlers.get(job.kind)
        with LeaseKeeper(db, job.id, worker, now, lease_of(settings)):
            handler(run)
        if not run.completed:
            with db.write() as conn:
                run.record_done(conn)
        return "done"
    except LeaseLost:
        log.warning("job %s (%s): lease lost, left to the worker that has it now", job.id, job.kind)
        return "lost"
    except Exception as e:  # any failure of a job is recorded on it and retried, never lost
        log.warning("job %s (%s) failed: %s", job.id, job.kind, e)
        with db.write() as conn:
            return outbox.fail(conn, job, worker, now, f"{type(e).__name__}: {e}")


def run_once(db: Database, settings: Settings, now: datetime, *, worker: str | None = None, limit: int = 20,
             schedules: bool = True) -> int:
    """Claim and run the jobs due at `now` (one batch); how many were claimed."""
    worker = worker or worker_name()
    if not schedules:
        with db.read() as conn:  # idle polls take no write lock (SQLite has one writer at a time)
            if not outbox.any_due(conn, now):
                return 0
    if schedules:  # at most once a minute in `serve`: finished exports and old import uploads expire
        retention.expire(db, settings, now)
    with db.write() as conn:
        if schedules:
            ensure_schedules(conn, now, system_settings.site_zone(db, settings))
        claimed = outbox.claim(conn, now, worker, limit=limit, lease=lease_of(settings))
    for job in claimed:
        run_job(db, settings, job, now, worker)
    return len(claimed)


def run_due(db: Database, settings: Settings, now: datetime, *, worker: str | None = None, rounds: int = 1000) -> int:
    """Run batches until nothing is due at `now` (jobs the batch queued for `now` included)."""
    total = 0
    for _ in range(rounds):
        done = run_once(db, settings, now, worker=worker, schedules=total == 0)
        total += done
        if not done:
            break
    return total


def serve(db: Database, settings: Settings, stop: threading.Event, clock: Callable[[], datetime] | None = None,
          *, worker: str | None = None) -> None:
    """Poll for due jobs until `stop` is set (what `tangram worker` and the embedded thread run)."""
    worker = worker or worker_name()
    checked_schedules = float("-inf")
    waiting = False  # rounds are meeting a busy database: said once, not every round
    cleaned = float("-inf")
    while not stop.is_set():
        schedules = time.monotonic() - checked_schedules >= SCHEDULE_CHECK_SECONDS
        try:
            if time.monotonic() - cleaned >= CLEANUP_SECONDS:
                clean_up_imports(db, (clock or (lambda: datetime.now(UTC)))())
                cleaned = time.monotonic()
            busy = run_once(db, settings, (clock or (lambda: datetime.now(UTC)))(), worker=worker, schedules=schedules)
        except Exception as e:
            if not _lock_busy(e):  # the database went away for a moment: try again after the pause
                log.exception("worker round failed")
            elif not waiting:  # another writer (a long import) keeps the lock: the next round tries again
                log.warning("worker round skipped, the database is busy: %s; trying again each round", e)
                waiting = True
            busy = 0
        else:
            waiting = False
            if schedules:
                checked_schedules = time.monotonic()
        if not busy:
            stop.wait(settings.worker_poll_seconds)


def clean_up_imports(db: Database, now: datetime) -> int:
    """Remove the staged rows of imports that died (kill -9) mid-way; how many. Looks in a read
    transaction, and takes the write lock only when there is something to remove."""
    with db.read() as conn:
        keys = staging.abandoned(conn, now)
    if not keys:
        return 0
    with db.write() as conn:
        removed = staging.discard_abandoned(conn, keys)
    log.warning("removed %d staged record(s) of %d import(s) that did not finish", removed, len(keys))
    return removed


def _lock_busy(error: BaseException) -> bool:
    """Did the round give up waiting for the database's write lock (nothing written)?"""
    return isinstance(error, Busy) or lock_wait_ended(error)


class EmbeddedWorker:
    """The worker as a daemon thread of the server process."""

    def __init__(self, db: Database, settings: Settings, clock: Callable[[], datetime] | None = None) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=serve, args=(db, settings, self.stop, clock), daemon=True,
                                       name="tangram-worker")

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


__all__ = ["clean_up_imports", "run_once", "run_due", "run_job", "serve", "EmbeddedWorker", "JobRun", "LeaseLost"]
