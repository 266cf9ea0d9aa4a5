"""The durable job table: effects, timers and schedules written in the same transaction as the change
that caused them, claimed by workers (FOR UPDATE SKIP LOCKED on PostgreSQL), retried with backoff.

A claimed job holds a lease (`locked_until`), which its worker renews while the job runs (`renew`,
jobs/lease.py); a worker that dies leaves it `running` and stops renewing, and once the lease has passed
another claim takes it again: delivery is at least once. `key` makes enqueueing idempotent: one job per
effect, and the key is the delivery id a receiver can drop a repeat by."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.errors import FlowStateError, NotFound
from runtime.db.tables import deliveries, jobs

LEASE = timedelta(seconds=60)  # the default of TANGRAM_JOB_LEASE_SECONDS
RUNNABLE = ("pending", "failed")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … doubling, at most an hour, before attempt `attempts + 1`."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def enqueue(conn: Connection, kind: str, payload: dict[str, Any], now: datetime, *, run_at: datetime | None = None,
            key: str | None = None, max_attempts: int = 5) -> int | None:
    """Add a job (in the caller's transaction); with a `key` already present nothing is added (None)."""
    values = {"kind": kind, "key": key, "payload": payload, "status": "pending", "run_at": run_at or now,
              "attempts": 0, "max_attempts": max_attempts, "created_at": now, "updated_at": now}
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(jobs).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return conn.scalar(statement.returning(jobs.c.id))


def any_due(conn: Connection, now: datetime) -> bool:
    """Is there a job to claim at `now`? (A read: idle workers poll without taking a write lock.)"""
    return conn.scalar(select(jobs.c.id).where(jobs.c.run_at <= now, or_(
        jobs.c.status.in_(RUNNABLE), and_(jobs.c.status == "running", jobs.c.locked_until < now))).limit(1)) is not None


def claim(conn: Connection, now: datetime, worker: str, *, limit: int = 10, lease: timedelta = LEASE,
          kinds: tuple[str, ...] | None = None) -> list[Row[Any]]:
    """Take up to `limit` due jobs for `worker`: pending or failed ones whose time has come, and running ones
    whose lease expired (their worker died). Concurrent claimers never get the same job."""
    query = (select(jobs).where(jobs.c.run_at <= now, or_(
        jobs.c.status.in_(RUNNABLE), and_(jobs.c.status == "running", jobs.c.locked_until < now)))
        .order_by(jobs.c.run_at, jobs.c.id).limit(limit))
    if kinds:
        query = query.where(jobs.c.kind.in_(kinds))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(conn.execute(query))
    if not rows:
        return []
    conn.execute(update(jobs).where(jobs.c.id.in_([r.id for r in rows])).values(
        status="running", locked_by=worker, locked_until=now + lease, attempts=jobs.c.attempts + 1, updated_at=now))
    return list(conn.execute(select(jobs).where(jobs.c.id.in_([r.id for r in rows])).order_by(jobs.c.run_at,
                                                                                                 jobs.c.id)))


def _mine(job_id: int, worker: str) -> Any:
    return and_(jobs.c.id == job_id, jobs.c.status == "running", jobs.c.locked_by == worker)


def finish(conn: Connection, job_id: int, worker: str, now: datetime) -> bool:
    """Mark the job done; False when its lease was lost (another worker has it now)."""
    result = conn.execute(update(jobs).where(_mine(job_id, worker)).values(
        status="done", locked_by=None, locked_until=None, last_error=None, updated_at=now))
    return result.rowcount == 1


def renew(conn: Connection, job_id: int, worker: str, until: datetime) -> bool:
    """Extend the lease of a job this worker still holds to `until`; False when it was lost."""
    return conn.execute(update(jobs).where(_mine(job_id, worker)).values(locked_until=until)).rowcount == 1


def fail(conn: Connection, job: Row[Any], worker: str, now: datetime, error: str) -> str:
    """Record a failed attempt: retried after a backoff, or `dead` after the last attempt."""
    status = "dead" if job.attempts >= job.max_attempts else "failed"
    conn.execute(update(jobs).where(_mine(job.id, worker)).values(
        status=status, run_at=now + backoff(job.attempts), locked_by=None, locked_until=None,
        last_error=error[:2000], updated_at=now))
    return status


def give_up(conn: Connection, job: Row[Any], worker: str, now: datetime, error: str) -> bool:
    """End the job `dead` at once, whatever attempts are left (trying again would repeat an effect that happened);
    False when its lease was lost."""
    return conn.execute(update(jobs).where(_mine(job.id, worker)).values(
        status="dead", locked_by=None, locked_until=None, last_error=error[:2000], updated_at=now)).rowcount == 1


RESPONSE_EXCERPT = 300
"""How much of a receiver's answer a delivery keeps: enough to read an error, not a stored copy of it."""


def log_delivery(conn: Connection, job: Row[Any], channel: str, target: str, now: datetime, *, ok: bool,
                 status_code: int | None = None, error: str | None = None, response: str | None = None) -> None:
    """Every attempt to deliver something outside, whatever its result, with the start of the answer."""
    conn.execute(insert(deliveries).values(job_id=job.id, channel=channel, target=target[:500], attempt=job.attempts,
                                           ok=ok, status_code=status_code, error=(error or None) and error[:2000],
                                           response=(response or None) and response[:RESPONSE_EXCERPT], at=now))


def get(conn: Connection, job_id: int) -> Row[Any]:
    row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise NotFound(f"没有任务 {job_id}", f"no job {job_id}")
    return row


def list_jobs(conn: Connection, statuses: list[str], kind: str | None = None, limit: int = 100) -> list[Row[Any]]:
    query = select(jobs).where(jobs.c.status.in_(statuses)).order_by(jobs.c.id.desc()).limit(limit)
    if kind:
        query = query.where(jobs.c.kind == kind)
    return list(conn.execute(query))


def job_deliveries(conn: Connection, job_id: int) -> list[Row[Any]]:
    return list(conn.execute(select(deliveries).where(deliveries.c.job_id == job_id).order_by(deliveries.c.id)))


def retry(conn: Connection, job_id: int, now: datetime) -> Row[Any]:
    """Run a failed or dead job again now, with a fresh set of attempts. The status is checked in the
    UPDATE itself: of two retries at once, one queues the job and the other is refused (409)."""
    job = get(conn, job_id)
    queued = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(("failed", "dead"))).values(
        status="pending", run_at=now, attempts=0, updated_at=now)).rowcount
    if not queued:
        status = get(conn, job_id).status if job.status in ("failed", "dead") else job.status
        raise FlowStateError(f"只能重试失败的任务（当前 {status}）", f"only failed or dead jobs can be retried, "
                             f"not {status} ones", status=status)
    return get(conn, job_id)


def of_instance(conn: Connection, instance_id: int) -> list[Row[Any]]:
    """The jobs a flow instance caused, oldest first: its effects (`flow:<id>:…`) and its timers
    (`timer:<id>:…`), by the keys carrying them out gives them (flows/flow_effects.py)."""
    return list(conn.execute(select(jobs).where(or_(*(jobs.c.key.startswith(prefix, autoescape=True)
                                                      for prefix in instance_keys(instance_id))))
                             .order_by(jobs.c.id)))


def instance_keys(instance_id: int) -> tuple[str, str]:
    """The key prefixes of an instance's jobs."""
    return f"flow:{instance_id}:", f"timer:{instance_id}:"


def failing_by_instance(conn: Connection, instance_ids: list[int]) -> dict[int, int]:
    """Instance id → how many of its jobs are failed or dead (only those with any)."""
    if not instance_ids:
        return {}
    prefixes = [p for i in instance_ids for p in instance_keys(i)]
    found: dict[int, int] = {}
    for key in conn.scalars(select(jobs.c.key).where(jobs.c.status.in_(("failed", "dead")), or_(
            *(jobs.c.key.startswith(p, autoescape=True) for p in prefixes)))):
        instance_id = int(key.split(":", 2)[1])
        found[instance_id] = found.get(instance_id, 0) + 1
    return found


def drop_pending(conn: Connection, key_prefix: str) -> None:
    """Forget jobs not yet started whose key starts with this (a timer replaced by a new date)."""
    conn.execute(delete(jobs).where(jobs.c.key.startswith(key_prefix, autoescape=True), jobs.c.status == "pending"))


def has_pending(conn: Connection, key_prefix: str) -> bool:
    return conn.scalar(select(jobs.c.id).where(jobs.c.key.startswith(key_prefix, autoescape=True),
                                               jobs.c.status.in_(("pending", "running", "failed"))).limit(1)) is not None


__all__ = ["enqueue", "any_due", "claim", "finish", "renew", "fail", "give_up", "log_delivery", "list_jobs", "retry", "get", "backoff",
           "drop_pending", "has_pending", "job_deliveries", "of_instance", "instance_keys", "failing_by_instance"]
