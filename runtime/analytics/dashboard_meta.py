"""The line under a dashboard's title in a PDF or a subscription: the filters applied and the moment."""

from __future__ import annotations

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.model import ReportDefinition


def filter_label(app: AppDefinition, report: ReportDefinition, key: str) -> str:
    """The filter's own label, else the field's label on the first widget form that has it."""
    declared = next((f for f in report.filters if f.field == key), None)
    if declared is not None and declared.label:
        return declared.label
    for w in report.widgets:
        found = app.forms_by_key[w.form].by_key.get(key) if w.form in app.forms_by_key else None
        if found is not None:
            return found.label
    return SYSTEM_FIELDS[key].label if key in SYSTEM_FIELDS else key


def dashboard_meta(app: AppDefinition, report: ReportDefinition, filters: dict[str, str], ctx: EvalContext) -> str:
    """`筛选：地区 = 华东 · 数据时间 2026-12-06 09:30` (the moment in the app's time zone)."""
    moment = ctx.now.astimezone(ctx.timezone).strftime("%Y-%m-%d %H:%M")
    shown = "，".join(f"{filter_label(app, report, k)} = {v}" for k, v in filters.items() if v)
    return (f"筛选：{shown} · " if shown else "") + f"数据时间 {moment}"


__all__ = ["dashboard_meta", "filter_label"]
