"""One claimed job as its handler sees it (`JobRun`), and the handler's signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row

from runtime.db.db import Database
from runtime.jobs import outbox
from runtime.settings import Settings
from runtime.system_settings import store as system_settings


class LeaseLost(Exception):
    """The job's lease passed and another worker claimed it: this worker must not finish it."""


@dataclass
class JobRun:
    """One claimed job being run: handlers finish it inside their own write transaction when they can,
    so a database effect and the job's completion commit together (exactly once)."""

    db: Database
    job: Row[Any]
    now: datetime
    worker: str
    settings: Settings
    completed: bool = field(default=False)

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone as 系统设置 has it now."""
        return system_settings.site_zone(self.db, self.settings)

    def complete(self, conn: Connection) -> None:
        """Mark the job done in the transaction holding its database effects; LeaseLost when another worker
        has the job now, so that the effects roll back and happen once (by that worker)."""
        if not self.record_done(conn):
            raise LeaseLost(f"job {self.job.id}: lease lost")

    def record_done(self, conn: Connection) -> bool:
        """Mark the job done after an effect outside the database (nothing to undo); False when the lease
        was lost (another worker will do it again: at least once)."""
        self.completed = True
        return outbox.finish(conn, self.job.id, self.worker, self.now)


Handler = Callable[[JobRun], None]


__all__ = ["Handler", "JobRun", "LeaseLost"]
