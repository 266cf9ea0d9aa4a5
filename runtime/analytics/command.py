"""`tangram report pdf APP REPORT --user NAME [--filter FIELD=VALUE]… -o FILE`: a dashboard as a PDF from the
command line — the document 导出 PDF makes, every chart drawn by the server, the figures as NAME may see
them (a script's nightly report, an archive)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.errors import BadQuery
from runtime.analytics.reader_view import dashboard_as
from runtime.apps import definitions
from runtime.settings import Settings

Opener = Callable[[argparse.Namespace], Any]


def _filters(pairs: list[str] | None, declared: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs or []:
        field, sep, value = pair.partition("=")
        if not sep or field not in declared:
            raise BadQuery(
                f"--filter {pair}：应为 字段=值，字段是仪表盘的筛选项（{', '.join(sorted(declared)) or '无'}）",
                f"--filter {pair}: expected FIELD=VALUE with a filter of the dashboard "
                f"({', '.join(sorted(declared)) or 'none'})",
                field="filter",
            )
        found[field] = value
    return found


def cmd_report_pdf(args: argparse.Namespace, open_db: Opener) -> int:
    settings = Settings()
    if args.db:
        settings = settings.model_copy(update={"database_url": args.db})
    db = open_db(args)
    with db.read() as conn:
        app, _ = definitions.current(conn, args.app)
    report = app.report(args.report)
    filters = _filters(args.filter, {f.field for f in report.filters})
    view = dashboard_as(db, settings, app, report, args.user, filters, datetime.now(UTC), ZoneInfo(settings.timezone))
    if view is None:
        raise BadQuery(
            f"用户 {args.user} 不存在、已停用或不能查看仪表盘“{report.name}”",
            f"{args.user!r} is no active user who may see dashboard {report.key!r}",
            field="user",
        )
    Path(args.output).write_bytes(view.pdf())
    print(args.output)
    return 0


def add_commands(sub: Any, with_db: Callable[[argparse.ArgumentParser], argparse.ArgumentParser], open_db: Opener) -> None:
    """Register `report pdf` on the main parser."""
    group = sub.add_parser("report", help="dashboards").add_subparsers(dest="report_command", required=True)
    pdf = with_db(group.add_parser("pdf", help="write a dashboard as a PDF, charts drawn by the server"))
    pdf.add_argument("app")
    pdf.add_argument("report")
    pdf.add_argument("--user", required=True, help="whose rights the figures are computed with")
    pdf.add_argument("--filter", action="append", metavar="FIELD=VALUE", help="a dashboard filter (repeat)")
    pdf.add_argument("--output", "-o", required=True)
    pdf.set_defaults(run=lambda args: cmd_report_pdf(args, open_db))


__all__ = ["add_commands", "cmd_report_pdf"]
