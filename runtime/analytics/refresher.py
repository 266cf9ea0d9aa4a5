"""Keeping the mirror fresh in a running server: a background thread that syncs every few seconds.

`tangram serve` starts it (settings.mirror_interval; 0 turns it off). The sync function itself takes
only the database, the mirror and the moment, so a job worker (issue 4's job table) can call it too.
Report requests still sync first when the mirror is older than settings.mirror_max_lag."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.db.db import Database

log = logging.getLogger("tangram.mirror")


class MirrorRefresher:
    """Syncs the mirror every `interval` seconds until stopped."""

    def __init__(self, db: Database, mirror: Mirror, interval: float) -> None:
        self.db, self.mirror, self.interval = db, mirror, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tangram-mirror", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        failing = ""  # the last failure logged: the same one again each second is not logged again
        while not self._stop.is_set():
            try:
                result = sync(self.db, self.mirror, datetime.now(UTC))
                if result.rebuilt:
                    log.info("mirror rebuilt %s in %.1f s", ", ".join(result.rebuilt), result.seconds)
                if failing:
                    log.info("mirror sync works again")
                    failing = ""
            except Exception as e:  # keep syncing: one failed round (a lock, a restart of the database) is not fatal
                if f"{type(e).__name__}: {e}" != failing:
                    log.exception("mirror sync failed (logged once until it changes or succeeds)")
                    failing = f"{type(e).__name__}: {e}"
            self._stop.wait(self.interval)
