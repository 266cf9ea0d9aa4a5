"""Gauges read when Prometheus scrapes, not kept up to date by the code they describe: the job queue, the
login throttle's counts (both from the database, so every process reports the same figures), the database
pool and the analytics mirror (this process's own)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from runtime.accounts.logins import FORGET_AFTER
from runtime.db.tables import jobs, login_attempts

log = logging.getLogger("tangram.metrics")

JOB_STATUSES = ("pending", "failed", "running", "dead")  # not `done`: it only grows


class StateCollector(Collector):
    """Three cheap queries per scrape, each on an index (jobs by status and run_at; login_attempts is small)."""

    def __init__(self, state: Any, now: Callable[[], datetime]) -> None:
        self.state, self.now = state, now

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = self.now()
        try:
            yield from self._from_database(now)
            up = 1
        except SQLAlchemyError:  # the database down or not set up: the scrape still answers, and says so
            log.warning("metrics: the database could not be read", exc_info=True)
            up = 0
        yield GaugeMetricFamily("tangram_database_up", "1 when this scrape could read the database.", value=up)
        yield from _pool(self.state.db.engine.pool)
        yield from _mirror(getattr(self.state, "mirror", None), now)

    def _from_database(self, now: datetime) -> Iterator[GaugeMetricFamily]:
        with self.state.db.engine.connect() as conn:
            counts = {status: n for status, n in conn.execute(select(jobs.c.status, func.count())
                                                              .where(jobs.c.status.in_(JOB_STATUSES))
                                                              .group_by(jobs.c.status))}
            oldest = conn.scalar(select(func.min(jobs.c.run_at)).where(jobs.c.status.in_(("pending", "failed")),
                                                                       jobs.c.run_at <= now))
            a = login_attempts.c
            failures, locks = conn.execute(select(
                func.coalesce(func.sum(a.failures).filter(a.key.startswith("user:"),
                                                          a.last_failure_at > now - FORGET_AFTER), 0),
                func.count().filter(a.locked_until > now))).one()
        # Yielded only once every query has answered: a failure leaves no half set of gauges.
        by_status = GaugeMetricFamily("tangram_jobs", "Jobs in the job table by status (not done ones).",
                                      labels=["status"])
        for status in JOB_STATUSES:
            by_status.add_metric([status], counts.get(status, 0))
        yield by_status
        yield GaugeMetricFamily("tangram_jobs_queued", "Jobs waiting to run: pending, or failed awaiting a retry.",
                                value=counts.get("pending", 0) + counts.get("failed", 0))
        yield GaugeMetricFamily("tangram_jobs_oldest_queued_age_seconds",
                                "How long the longest-waiting due job has been due (0: none due).",
                                value=_seconds(now - _aware(oldest, now)) if oldest is not None else 0.0)
        yield GaugeMetricFamily("tangram_login_failures",
                                "Failed logins the throttle counts per name (the last 24 h; a success clears them).",
                                value=int(failures))
        yield GaugeMetricFamily("tangram_login_locks", "Throttle counts (name at address, or address) locked now.",
                                value=int(locks))


def _aware(moment: datetime, now: datetime) -> datetime:
    return moment.replace(tzinfo=now.tzinfo) if moment.tzinfo is None else moment


def _seconds(delta: timedelta) -> float:
    return max(delta.total_seconds(), 0.0)


def _pool(pool: Any) -> Iterator[GaugeMetricFamily]:
    """SQLAlchemy's QueuePool (PostgreSQL, a SQLite file): connections in use and the pool's size."""
    if not all(hasattr(pool, name) for name in ("checkedout", "size", "overflow")):
        return  # an in-memory SQLite's pool: one shared connection, nothing to watch
    yield GaugeMetricFamily("tangram_db_pool_checked_out", "Database connections in use.", value=pool.checkedout())
    yield GaugeMetricFamily("tangram_db_pool_size", "The pool's configured size.", value=pool.size())
    yield GaugeMetricFamily("tangram_db_pool_overflow", "Connections open beyond the pool's size (negative: room).",
                            value=pool.overflow())


def _mirror(mirror: Any, now: datetime) -> Iterator[GaugeMetricFamily]:
    """The mirror's last sync in this process (no DuckDB read: a scrape never waits for a sync's lock)."""
    synced_at, seconds = getattr(mirror, "last_synced_at", None), getattr(mirror, "last_sync_seconds", None)
    if synced_at is None or seconds is None:
        return  # no mirror in this process, or not synced yet
    yield GaugeMetricFamily("tangram_mirror_lag_seconds", "Time since the analytics mirror's last sync.",
                            value=_seconds(now - _aware(synced_at, now)))
    yield GaugeMetricFamily("tangram_mirror_last_sync_seconds", "How long the last sync of the mirror took.",
                            value=seconds)
