"""Which process owns the analytics mirror (issue 28): one process writes `analytics.duckdb`, the others
read what it publishes (runtime/analytics/published.py).

The owner holds an exclusive lock on `<data_dir>/analytics.owner.lock` (flock: the kernel drops it when
the process ends, however it ends). `tangram worker` and `tangram mirror serve` wait for the lock and
then own the mirror; `tangram serve` takes it only when it runs the jobs itself (the embedded worker, the
single-process default) and nobody holds it, else it reads the published copy. So servers beside a
`tangram worker` never open the DuckDB file, and a second `tangram serve` on the same data directory
reads where it used to fail on DuckDB's own lock."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO

from runtime.analytics.mirror import Mirror
from runtime.analytics.published import PublishedMirror, Publisher
from runtime.analytics.refresher import MirrorRefresher
from runtime.db.db import Database
from runtime.settings import Settings

log = logging.getLogger("tangram.mirror")
LOCK = "analytics.owner.lock"


class OwnerLock:
    """The exclusive lock whose holder owns the mirror of a data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK
        self._file: IO[str] | None = None

    def take(self) -> bool:
        """Take the lock if it is free (never waits); whether this process holds it now."""
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.truncate(0)
        handle.write(f"{os.getpid()}\n")  # who owns it, for an operator looking
        handle.flush()
        self._file = handle
        return True

    def holder(self) -> str:
        """The process id written by the holder ('' when unknown)."""
        try:
            return self.path.read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops the lock
            self._file = None


def mirror_path(settings: Settings) -> Path:
    return settings.data_dir / "analytics.duckdb"


def owner_refresher(settings: Settings, db: Database, lock: OwnerLock) -> MirrorRefresher:
    """The owner's background sync and publication, started by the caller: it syncs once `lock` is held
    (it tries again each round until then)."""
    mirror = Mirror(mirror_path(settings), settings.mirror_memory_limit)
    return MirrorRefresher(db, mirror, settings.mirror_interval, lock=lock,
                           publisher=Publisher(mirror, settings.mirror_publish_seconds))


def server_mirror(settings: Settings, db: Database, may_own: bool) -> tuple[Mirror | PublishedMirror,
                                                                              MirrorRefresher | None]:
    """A server's mirror: its own (with the refresher, not started) when `may_own` and the lock is free,
    else the published copy, read-only, and no refresher: this process never writes the mirror."""
    lock = OwnerLock(settings.data_dir)
    if may_own and lock.take():
        if settings.mirror == "off" or settings.mirror_interval <= 0:  # synced by requests only, as before
            return Mirror(mirror_path(settings), settings.mirror_memory_limit), None
        refresher = owner_refresher(settings, db, lock)
        return refresher.mirror, refresher
    if may_own:
        log.info("the analytics mirror is owned by process %s: this server reads its published copy",
                 lock.holder() or "?")
    return PublishedMirror(settings.data_dir, settings.mirror_memory_limit), None

__all__ = ["OwnerLock", "owner_refresher", "server_mirror", "mirror_path", "LOCK"]
