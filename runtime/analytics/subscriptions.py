"""Dashboard subscriptions (订阅): stored, listed, changed, removed, and each one's next snapshot queued as a job.

A subscription queues one `dashboard_subscription` job at its next time; the job sends the snapshot and
queues the one after (runtime/jobs/handlers/dashboard_subscription.py). The job's key names the
subscription and the moment, so queuing twice (a retry, two workers) queues once; a removed
subscription's queued job finds nothing and ends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, delete, insert, select, update

from engine.errors import BadQuery
from engine.reports.model import ReportDefinition
from engine.reports.subscription import SubscriptionSpec, next_run
from runtime.db.tables import jobs, report_subscriptions
from runtime.jobs import outbox

KIND = "dashboard_subscription"
MAX_PER_REPORT = 200
"""Subscriptions of one dashboard: far more than a team has, and a bound on one run's work."""


def check_filters(report: ReportDefinition, spec: SubscriptionSpec) -> None:
    """A snapshot's filter values name filters of the dashboard (400 naming the one that does not)."""
    declared = {f.field for f in report.filters}
    for key in spec.filters:
        if key not in declared:
            raise BadQuery(
                f"报表“{report.name}”没有筛选项 {key}",
                f"report {report.key!r} has no filter {key!r}",
                field=f"filters.{key}",
            )


def queue_next(
    conn: Connection, subscription_id: int, spec: SubscriptionSpec, after: datetime, tz: ZoneInfo
) -> datetime:
    """Queue the subscription's next snapshot after `after`; the moment, in UTC."""
    at = next_run(spec, after, tz).astimezone(UTC)
    outbox.enqueue(
        conn, KIND, {"id": subscription_id}, after, run_at=at, key=f"subscription:{subscription_id}:{at.isoformat()}"
    )
    return at


def add(
    conn: Connection, app: str, report: str, spec: SubscriptionSpec, by: str | None, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """Store a subscription and queue its first snapshot; the subscription as the API shows it."""
    count = len(of_report(conn, app, report))
    if count >= MAX_PER_REPORT:
        raise BadQuery(
            f"一个仪表盘最多 {MAX_PER_REPORT} 个订阅", f"a dashboard has at most {MAX_PER_REPORT} subscriptions"
        )
    sid = conn.scalar(
        insert(report_subscriptions)
        .values(
            app=app, report=report, spec=spec.model_dump(mode="json", exclude_none=True), created_by=by, created_at=now
        )
        .returning(report_subscriptions.c.id)
    )
    assert sid is not None
    at = queue_next(conn, sid, spec, now, tz)
    return as_json(get(conn, sid), next_at=at)  # type: ignore[arg-type]


def change(
    conn: Connection, subscription_id: int, spec: SubscriptionSpec, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """Store a subscription's new spec and queue its next snapshot at the new time in place of the old one."""
    conn.execute(
        update(report_subscriptions)
        .where(report_subscriptions.c.id == subscription_id)
        .values(spec=spec.model_dump(mode="json", exclude_none=True))
    )
    # the snapshot queued at the old time, not the e-mails or robot posts of one already taken (same key prefix)
    conn.execute(
        delete(jobs).where(
            jobs.c.kind == KIND,
            jobs.c.status == "pending",
            jobs.c.key.startswith(f"subscription:{subscription_id}:", autoescape=True),
        )
    )
    at = queue_next(conn, subscription_id, spec, now, tz)
    return as_json(get(conn, subscription_id), next_at=at)  # type: ignore[arg-type]


def get(conn: Connection, subscription_id: int) -> Row[Any] | None:
    return conn.execute(select(report_subscriptions).where(report_subscriptions.c.id == subscription_id)).first()


def of_report(conn: Connection, app: str, report: str) -> list[Row[Any]]:
    return list(
        conn.execute(
            select(report_subscriptions)
            .where(report_subscriptions.c.app == app, report_subscriptions.c.report == report)
            .order_by(report_subscriptions.c.id)
        )
    )


def remove(conn: Connection, subscription_id: int) -> None:
    conn.execute(delete(report_subscriptions).where(report_subscriptions.c.id == subscription_id))


def sent(conn: Connection, subscription_id: int, now: datetime) -> None:
    conn.execute(
        update(report_subscriptions).where(report_subscriptions.c.id == subscription_id).values(last_sent_at=now)
    )


def as_json(row: Row[Any], next_at: datetime | None = None) -> dict[str, Any]:
    """A subscription as the API answers it; a robot's secret is never shown again."""
    spec = {k: v for k, v in dict(row.spec).items() if k != "secret"}
    out = {
        "id": row.id,
        **spec,
        "created_by": row.created_by,
        "last_sent_at": row.last_sent_at.isoformat() if row.last_sent_at else None,
    }
    if next_at is not None:
        out["next_at"] = next_at.isoformat()
    return out


__all__ = ["KIND", "add", "change", "get", "of_report", "remove", "sent", "queue_next", "as_json", "check_filters"]
