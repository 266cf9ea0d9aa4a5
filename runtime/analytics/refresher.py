"""Keeping the mirror fresh in its owner: a background thread that syncs every few seconds.

The owner (runtime/analytics/owner.py: the single-process `tangram serve`, `tangram worker` or `tangram
mirror serve`) runs it (settings.mirror_interval; 0 turns it off). With a `lock`, a round first takes it
and syncs only once it holds it, so a process waiting for a stopped owner's place takes over; with a
`publisher`, each sync is followed by a publication for the other processes (published.py). The sync
function itself takes only the database, the mirror and the moment. In the owner, report requests still
sync first when the mirror is older than settings.mirror_max_lag."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.db.db import Database

if TYPE_CHECKING:
    from runtime.analytics.owner import OwnerLock
    from runtime.analytics.published import Publisher

log = logging.getLogger("tangram.mirror")


class MirrorRefresher:
    """Syncs the mirror every `interval` seconds until stopped."""

    def __init__(self, db: Database, mirror: Mirror, interval: float, *, lock: OwnerLock | None = None,
                 publisher: Publisher | None = None) -> None:
        self.db, self.mirror, self.interval = db, mirror, interval
        self.lock, self.publisher = lock, publisher
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tangram-mirror", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop_soon(self) -> None:
        """Ask the loop to end after its round (a signal handler may call it)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.mirror.close()
        if self.lock is not None:
            self.lock.release()

    def run(self) -> None:
        """Sync in the calling thread until stopped (`tangram worker` in its thread, `mirror serve` in front)."""
        self._loop()

    def _owning(self, waiting: bool) -> bool:
        """Whether this process may write the mirror now; says once that it waits, and once that it owns it."""
        if self.lock is None:
            return True
        if self.lock.take():
            if waiting:
                log.info("this process now owns the analytics mirror")
            return True
        if not waiting:
            log.info("the analytics mirror is owned by process %s: waiting to take over", self.lock.holder() or "?")
        return False

    def _loop(self) -> None:
        failing = ""  # the last failure logged: the same one again each second is not logged again
        waiting = False
        while not self._stop.is_set():
            try:
                owning = self._owning(waiting)
                waiting = not owning
                if owning:
                    self._round()
                if failing:
                    log.info("mirror sync works again")
                    failing = ""
            except Exception as e:  # keep syncing: one failed round (a lock, a restart of the database) is not fatal
                if f"{type(e).__name__}: {e}" != failing:
                    log.exception("mirror sync failed (logged once until it changes or succeeds)")
                    failing = f"{type(e).__name__}: {e}"
            self._stop.wait(self.interval)

    def _round(self) -> None:
        now = datetime.now(UTC)
        result = sync(self.db, self.mirror, now)
        if result.rebuilt:
            log.info("mirror rebuilt %s in %.1f s", ", ".join(result.rebuilt), result.seconds)
        if self.publisher is not None:
            self.publisher.after_sync(now)
