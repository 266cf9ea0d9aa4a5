"""Keeping a running job's lease: a heartbeat thread renews it every third of the lease while the handler runs.

So the lease can be short (TANGRAM_JOB_LEASE_SECONDS, a minute by default): a worker that was killed stops
renewing, and another worker takes its jobs within a minute, instead of waiting out a lease long enough for
the slowest handler. A renewal is measured from the job's own clock (`now` when it was claimed, plus the time
the handler has run), so an injected clock in tests and the real one agree. When a renewal finds the lease
lost (another worker has the job), the heartbeat stops: the handler's `complete` then refuses (worker.py)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

from runtime.db.db import Database
from runtime.jobs import outbox

log = logging.getLogger("tangram.worker")


class LeaseKeeper:
    """`with LeaseKeeper(db, job_id, worker, now, lease): handler()` renews the lease until the block ends."""

    def __init__(self, db: Database, job_id: int, worker: str, now: datetime, lease: timedelta,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.db, self.job_id, self.worker, self.now, self.lease = db, job_id, worker, now, lease
        self.monotonic = monotonic
        self.started = monotonic()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def renew(self) -> bool:
        """One heartbeat: the lease runs `lease` from now on; False when the job is no longer this worker's."""
        until = self.now + timedelta(seconds=self.monotonic() - self.started) + self.lease
        with self.db.write() as conn:
            return outbox.renew(conn, self.job_id, self.worker, until)

    def _beat(self) -> None:
        while not self.stop.wait(self.lease.total_seconds() / 3):
            try:
                if not self.renew():
                    log.warning("job %s: lease lost to another worker; its completion will be refused", self.job_id)
                    return
            except Exception:  # the database went away for a moment: the next beat tries again
                log.exception("job %s: lease renewal failed", self.job_id)

    def __enter__(self) -> LeaseKeeper:
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"tangram-lease-{self.job_id}")
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


__all__ = ["LeaseKeeper"]
