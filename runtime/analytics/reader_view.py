"""A dashboard run headless for one reader — no request, no browser: what a subscription sends and what
`tangram report pdf` writes. The reader's rights apply as on the page (their rows, their fields, nothing
of a dashboard they may not see); the primary database answers (the mirror has one writer, the server)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.reports.model import ReportDefinition
from runtime.accounts.users import user_by_name
from runtime.analytics.dashboard_meta import dashboard_meta
from runtime.analytics.dashboard_pdf import dashboard_pdf, drawn_charts
from runtime.analytics.dashboard_run import run_dashboard
from runtime.analytics.run import ReportContext
from runtime.analytics.snapshot import Figures, figures
from runtime.db.db import Database
from runtime.permissions.check import Guard
from runtime.permissions.reports import report_visible
from runtime.records.context import Actor
from runtime.settings import Settings


@dataclass
class ReaderView:
    """One reader's dashboard: the widgets' results, their figures as texts, and the title line's meta."""

    report: ReportDefinition
    results: list[dict[str, Any]]
    figures: list[Figures]
    meta: str

    def pdf(self) -> bytes:
        """The dashboard as a PDF, every chart drawn by the server."""
        return dashboard_pdf(self.report.name, self.meta, self.figures, {}, drawn_charts(self.results, {}))


def dashboard_as(
    db: Database,
    settings: Settings,
    app: AppDefinition,
    report: ReportDefinition,
    username: str,
    filters: dict[str, str],
    now: datetime,
    tz: ZoneInfo,
) -> ReaderView | None:
    """The dashboard as `username` sees it; None when they are no active user or may not see it."""
    with db.read() as conn:
        user = user_by_name(conn, username)
        if user is None or not user.active:
            return None
        guard = Guard(Actor(user.username, user.id, user.is_admin), now, tz)
        if not guard.app_visible(conn, app.key) or not report_visible(conn, guard, app.key, report):
            return None
    ctx = EvalContext(now, tz, username)
    rc = ReportContext(db, None, settings, ctx)  # type: ignore[arg-type]  # primary only: no mirror
    results = run_dashboard(rc, guard, app, report, filters, "primary")
    shown = [figures(r, w.name or w.key) for r, w in zip(results, report.widgets, strict=True)]
    return ReaderView(report, results, shown, dashboard_meta(app, report, filters, ctx))


__all__ = ["ReaderView", "dashboard_as"]
