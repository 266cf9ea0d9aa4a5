"""Job handlers, one module per kind of work, listed here explicitly: a job's `kind` names its handler.

Adding a kind of job = a function `handle(run: JobRun)` in a module here, one line in `BUILT_INS`, and
`outbox.enqueue(conn, "<kind>", payload, now)` where the work arises."""

from __future__ import annotations

from engine.registry import Registry
from runtime.jobs.handlers import (
    dashboard_subscription,
    duplicate_scan,
    email,
    export,
    flow_timer,
    http_request,
    import_run,
    robots,
    webhook,
)
from runtime.jobs.job_run import Handler

job_handlers: Registry[Handler] = Registry("job kind")

BUILT_INS: tuple[tuple[str, Handler], ...] = (
    ("flow_timer", flow_timer.handle),  # a flow's due time or wait ends
    ("schedule", flow_timer.schedule),  # a cron flow's run over its records
    ("date_trigger", flow_timer.date_trigger),  # a date-relative flow fires for one record
    ("date_backfill", flow_timer.date_backfill),  # a new date flow's timers for existing records
    ("email", email.handle),
    ("webhook", webhook.handle),
    ("http_request", http_request.handle),  # a flow's HTTP 请求 step: the call and its answer kept
    ("dingtalk", robots.dingtalk),
    ("wecom", robots.wecom),
    ("dashboard_subscription", dashboard_subscription.handle),  # a dashboard's snapshot to its subscribers
    ("export", export.handle),  # a large list export from the list page (runtime/io/exports.py)
    ("import_run", import_run.handle),  # an import wizard's run (issue 26)
    ("duplicate_scan", duplicate_scan.handle),  # 查重: a form's likely duplicates found and stored (issue 26)
)
for _kind, _handler in BUILT_INS:
    job_handlers.register(_kind, _handler)

__all__ = ["BUILT_INS", "job_handlers"]
