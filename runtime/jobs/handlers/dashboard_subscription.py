"""A dashboard subscription's snapshot: for each recipient (the user, or every active member of the role),
the dashboard run with their rights — the rows and fields they may see, nothing of a dashboard they may
not see — as short lines of formatted figures with a link back, sent through the subscription's channel
(e-mail and robots through their own jobs, in-app messages at once); then the next snapshot is queued.
An e-mail also carries the dashboard as a PDF, its charts drawn by the server (engine/reports/svg): mail
clients show SVG poorly and the server has no rasteriser, while every client opens a PDF (docs/reports.md).

Everything is written in one transaction with the job's completion, so a retry sends nothing twice. The
figures come from the primary database: the analytics mirror has one writer (the server), and a worker
may run elsewhere."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from engine.app import AppDefinition
from engine.errors import NotFound
from engine.reports.model import ReportDefinition
from engine.reports.subscription import ROBOTS, SubscriptionSpec
from runtime.accounts.org import load_org
from runtime.analytics import subscriptions
from runtime.analytics.reader_view import dashboard_as
from runtime.apps import definitions
from runtime.flows import messages
from runtime.jobs import outbox
from runtime.jobs.handlers.email import attachment
from runtime.jobs.job_run import JobRun

log = logging.getLogger("tangram.subscriptions")
ROWS_PER_WIDGET = 10
MAX_ATTACHMENT = 5 << 20
"""A dashboard PDF an e-mail carries (a few hundred KB with its fonts; mail servers refuse tens of MB)."""
MAX_MESSAGE_CHARS = 3500
"""Robots take a few thousand characters; the dashboard behind the link has everything."""


def _recipients(run: JobRun, app: str, spec: SubscriptionSpec) -> list[str]:
    if spec.subscriber == "user":
        return [spec.name]
    with run.db.read() as conn:
        return sorted(load_org(conn, app).role_members(spec.name))


@dataclass
class Snapshot:
    """One reader's snapshot: the message, and for e-mail the dashboard as a PDF."""

    text: str
    pdf: bytes | None = None


def _digest(
    run: JobRun, app: AppDefinition, report: ReportDefinition, spec: SubscriptionSpec, username: str
) -> Snapshot | None:
    """The snapshot for one reader; None when they are no active user or may not see the dashboard."""
    view = dashboard_as(run.db, run.settings, app, report, username, spec.filters, run.now, run.tz)
    if view is None:
        return None
    markdown = spec.channel in ROBOTS  # robots render markdown; e-mail and in-app messages are plain text
    parts = [view.meta]
    for f in view.figures:
        head, bullet = (f"**{f.name}**", "- ") if markdown else (f"【{f.name}】", "· ")
        parts.append(f"\n{head}\n" + "\n".join(bullet + line for line in f.lines(ROWS_PER_WIDGET)))
    text = "\n".join(parts)
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "\n……（完整内容请打开仪表盘）"
    link = f"{run.settings.public_url.rstrip('/')}/apps/{app.key}/dashboards/{report.key}"
    text = f"{text}\n\n" + (f"[查看仪表盘]({link})" if markdown else f"查看仪表盘：{link}")
    if spec.channel != "email":
        return Snapshot(text)
    pdf = view.pdf()
    if len(pdf) > MAX_ATTACHMENT:
        return Snapshot(text + "\n（图表附件过大，未附上，请打开仪表盘）")
    return Snapshot(text + "\n（附件为仪表盘 PDF，含图表）", pdf)


def _send(
    conn: Any, run: JobRun, spec: SubscriptionSpec, key: str, title: str, username: str, snapshot: Snapshot, name: str
) -> None:
    text = snapshot.text
    if spec.channel == "in_app":
        messages.send(conn, [username], title, text, run.now)
    elif spec.channel == "email":
        payload: dict[str, Any] = {"to": [username], "subject": title, "body": text}
        if snapshot.pdf is not None:
            payload["attachments"] = [attachment(f"{name}.pdf", "application/pdf", snapshot.pdf)]
        outbox.enqueue(conn, "email", payload, run.now, key=f"{key}:{username}")
    else:
        outbox.enqueue(
            conn,
            spec.channel,
            {"webhook": spec.webhook, "secret": spec.secret, "title": title, "message": text},
            run.now,
            key=f"{key}:{username}",
        )


def handle(run: JobRun) -> None:
    subscription_id = int(run.job.payload["id"])
    with run.db.read() as conn:
        row = subscriptions.get(conn, subscription_id)
        if row is None:
            return  # removed since this snapshot was queued
        try:
            app, _ = definitions.current(conn, row.app)
            report = app.report(row.report)
        except NotFound:
            log.warning("subscription %s: dashboard %s/%s is gone; not sent", row.id, row.app, row.report)
            return
    spec = SubscriptionSpec.model_validate(row.spec)
    title = f"【订阅】{report.name} · {run.now.astimezone(run.tz):%Y-%m-%d}"
    digests = {u: _digest(run, app, report, spec, u) for u in _recipients(run, row.app, spec)}
    key = f"subscription:{row.id}:{run.job.run_at.isoformat()}"
    filename = f"{report.name} {run.now.astimezone(run.tz):%Y-%m-%d}"
    with run.db.write() as conn:
        for username, snapshot in digests.items():
            if snapshot is not None:
                _send(conn, run, spec, key, title, username, snapshot, filename)
        subscriptions.sent(conn, row.id, run.now)
        subscriptions.queue_next(conn, row.id, spec, run.now, run.tz)
        run.complete(conn)
