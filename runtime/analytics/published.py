"""The analytics mirror as other processes read it: a read-only copy the owner publishes (issue 28).

DuckDB lets one process open a file for writing, and no other process may open it then, not even to
read. So the owner (runtime/analytics/owner.py) syncs `analytics.duckdb` alone and, after a sync that
changed something, checkpoints it and copies it to a new file `analytics.snapshot-<n>.duckdb`; a small
pointer, `analytics.snapshot.json`, names the newest copy and the moment its data is current as of (each
sync that finds nothing new moves that moment on without copying), while any reader has asked for copies in
the last minute (WANTED). Servers open the named copy
read-only — any number of processes may — and reopen when the pointer names another. Each copy has a
name of its own because DuckDB shares one open database per path within a process: a file replaced in
place would still be read as the old one. The owner deletes copies older than the previous one; a
reader still holding one open keeps reading it (POSIX)."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine

from engine.errors import MirrorUnavailable
from runtime.analytics.mirror import Mirror, SyncState, read_state, set_up

POINTER = "analytics.snapshot.json"
WANTED = "analytics.snapshot.wanted"
"""Touched by the readers (at most every WANT_EVERY seconds): the owner publishes only while it is recent, so a
single `tangram serve` with nobody beside it copies nothing."""
WANT_EVERY = 10.0
WANTED_FOR = 60.0
_PREFIX = "analytics.snapshot-"


@dataclass(frozen=True)
class Pointer:
    """The newest published copy: its file name and the moment its data is current as of."""

    file: str
    as_of: datetime


def _write_pointer(folder: Path, pointer: Pointer) -> None:
    tmp = folder / f"{POINTER}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps({"file": pointer.file, "as_of": pointer.as_of.isoformat()}), encoding="utf-8")
    os.replace(tmp, folder / POINTER)  # atomic: a reader sees the old pointer or the new one


def read_pointer(folder: Path) -> Pointer | None:
    """The published pointer, or None when nothing is published (or it cannot be read)."""
    try:
        data = json.loads((folder / POINTER).read_text(encoding="utf-8"))
        return Pointer(str(data["file"]), datetime.fromisoformat(data["as_of"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class Publisher:
    """The owner's side: a new copy after syncs that changed data (at most one per `spacing` seconds),
    else the pointer's moment moved on."""

    def __init__(self, mirror: Mirror, spacing: float) -> None:
        self.mirror, self.spacing = mirror, spacing
        self.folder = mirror.path.parent
        self._published: tuple[int, datetime] | None = None  # (mirror.generation, when) of the current copy
        self._file: str | None = None

    def wanted(self) -> bool:
        """Whether a reader asked for copies in the last WANTED_FOR seconds."""
        try:
            return time.time() - (self.folder / WANTED).stat().st_mtime <= WANTED_FOR
        except OSError:
            return False

    def after_sync(self, now: datetime) -> None:
        """Called after each sync of the owner: copy, or confirm that the current copy is still current
        (nothing while no reader wants copies)."""
        if not self.wanted():
            self._published = None  # a reader coming back gets a fresh copy at once
            return
        current = self._published is not None and self._published[0] == self.mirror.generation
        if current and self._file is not None:
            _write_pointer(self.folder, Pointer(self._file, now))
        elif self._published is None or (now - self._published[1]).total_seconds() >= self.spacing:
            self.publish(now)

    def publish(self, now: datetime) -> Pointer:
        """Checkpoint the mirror and publish a copy of it; the pointer names it."""
        with self.mirror.lock:  # no sync writes between the checkpoint and the end of the copy
            generation = self.mirror.generation
            with self.mirror.write() as conn:
                conn.exec_driver_sql("CHECKPOINT")
            wal = self.mirror.path.with_name(self.mirror.path.name + ".wal")
            if wal.exists() and wal.stat().st_size:
                raise OSError(f"{wal}: not empty after a checkpoint; the copy would miss its changes")
            name = f"{_PREFIX}{now.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}.duckdb"
            tmp = self.folder / f"{name}.tmp"
            shutil.copyfile(self.mirror.path, tmp)
        os.replace(tmp, self.folder / name)
        pointer = Pointer(name, now)
        _write_pointer(self.folder, pointer)
        previous, self._file, self._published = self._file, name, (generation, now)
        for old in self.folder.glob(f"{_PREFIX}*.duckdb"):  # the current copy and the one before it stay
            if old.name not in (name, previous):
                old.unlink(missing_ok=True)
        return pointer


class PublishedMirror:
    """The reader's side: the owner's newest copy, read-only, with the interface of Mirror that reports use."""

    owned = False

    def __init__(self, folder: Path, memory_limit: str = "") -> None:
        self.folder = folder
        self.memory_limit = memory_limit  # as Mirror's
        self.path = folder / POINTER
        self._guard = threading.Lock()
        self._seen: tuple[int, int] | None = None  # the pointer file's (inode, mtime) when last read
        self._pointer: Pointer | None = None
        self._engines: dict[str, Engine] = {}
        self._wanted = -WANT_EVERY

    def want(self) -> None:
        """Tell the owner that this process reads its copies (see WANTED)."""
        moment = time.monotonic()
        if moment - self._wanted >= WANT_EVERY:
            self._wanted = moment
            (self.folder / WANTED).touch()

    def pointer(self) -> Pointer | None:
        """The newest pointer (re-read only when its file changed: one stat per call)."""
        self.want()
        try:
            st = self.path.stat()
        except OSError:
            return None
        with self._guard:
            if self._seen != (st.st_ino, st.st_mtime_ns):
                self._seen, self._pointer = (st.st_ino, st.st_mtime_ns), read_pointer(self.folder)
            return self._pointer

    def as_of(self) -> datetime | None:
        """The moment the published data is current as of; None when nothing is published."""
        pointer = self.pointer()
        return pointer.as_of.astimezone(UTC) if pointer else None

    @property
    def last_synced_at(self) -> datetime | None:  # for /metrics, as Mirror's
        return self.as_of()

    last_sync_seconds: float | None = None

    def _engine(self, name: str) -> Engine:
        with self._guard:
            if name not in self._engines:
                engine = create_engine(f"duckdb:///{self.folder / name}", query_cache_size=0,
                                       connect_args={"read_only": True})
                set_up(engine, self.memory_limit)  # as Mirror's
                for old in [n for n in self._engines if n != name]:  # in-flight reads finish on their connection
                    self._engines.pop(old).dispose()
                self._engines[name] = engine
            return self._engines[name]

    @contextmanager
    def read(self) -> Iterator[Connection]:
        pointer = self.pointer()
        if pointer is None:
            raise MirrorUnavailable("分析镜像尚未发布（由 worker 同步）", "no copy of the analytics mirror is published yet")
        with self._engine(pointer.file).connect() as conn:
            yield conn

    def state(self, conn: Connection) -> SyncState:
        return read_state(conn)

    def close(self) -> None:
        with self._guard:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()


__all__ = ["Publisher", "PublishedMirror", "Pointer", "read_pointer", "POINTER"]
