"""`tangram worker`: run the job worker in its own process (PostgreSQL: as many as you like); the first
to start also owns the analytics mirror (runtime/analytics/owner.py)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from runtime import logs, subscribers
from runtime.db import schema
from runtime.db.db import open_database
from runtime.jobs.worker import run_due, serve, worker_name
from runtime.settings import Settings


def cmd_worker(args: argparse.Namespace) -> int:
    subscribers.install()  # the jobs write records (flow actions, schedules): every subscriber must be on
    settings = Settings()
    if args.db:
        settings = settings.model_copy(update={"database_url": args.db})
    if args.poll:
        settings = settings.model_copy(update={"worker_poll_seconds": args.poll})
    db = open_database(settings.url(), sqlite_json=settings.sqlite_json,
                         lock_wait=settings.lock_wait_seconds)
    if (problem := schema.problem(db)) is not None:  # the jobs would fail on a missing table, one by one
        print(f"error: {problem}", file=sys.stderr)
        return 1
    if args.once:
        done = run_due(db, settings, datetime.now(UTC))
        print(f"ran {done} job(s)")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    name = worker_name()
    print(f"worker {name} on {db.describe()}, polling every {settings.worker_poll_seconds:g}s")
    mirror = _mirror_owner(settings, db)
    try:
        serve(db, settings, stop, worker=name)
    finally:
        if mirror is not None:
            mirror.stop()
    return 0


def _mirror_owner(settings: Settings, db: Any) -> Any:
    """The worker owns the analytics mirror (syncs and publishes it for the servers) once no other process
    does: runtime/analytics/owner.py. Not when the mirror or its background sync is off."""
    from runtime.analytics.owner import OwnerLock, owner_refresher

    if settings.mirror == "off" or settings.mirror_interval <= 0:
        return None
    logs.configure(settings, False)
    refresher = owner_refresher(settings, db, OwnerLock(settings.data_dir))
    refresher.start()
    return refresher


def add_command(sub: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser]) -> None:
    worker = with_db(sub.add_parser("worker", help="run the job worker (flow timers, schedules, notifications)"))
    worker.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
    worker.add_argument("--poll", type=float, help="seconds between polls when idle (TANGRAM_WORKER_POLL_SECONDS)")
    worker.set_defaults(run=cmd_worker)
