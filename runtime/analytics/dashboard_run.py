"""A stored dashboard run for one user: each widget through the permission gate with the filters that apply
to it, a widget they may not see answered by a refusal that names nothing hidden. The reports API, the
PDF export and the subscriptions' snapshots all run dashboards through here, so they show the same figures."""

from __future__ import annotations

from typing import Any

from engine.app import AppDefinition
from engine.errors import BadQuery, EngineError, NotFound
from engine.reports.model import ReportDefinition, Widget
from runtime.analytics.run import ReportContext, run_widget
from runtime.permissions.check import Guard
from runtime.permissions.reports import widget_gate


def scope_widget(rc: ReportContext, guard: Guard, app: AppDefinition, widget: Widget, filters: dict[str, str]) -> None:
    """Put the user's row scope for this widget's form on the context (404 / unknown field first)."""
    with rc.db.read() as conn:
        gate, rc.scope = widget_gate(conn, guard, app, widget, filters)
        rc.titles = None if gate.rights.unrestricted else gate.titles_on


def unavailable(widget: Widget, error: EngineError) -> EngineError:
    """The error of a stored widget this user may not see, naming nothing they may not see (the hidden
    field or form it reads): the same kind of error, a message about the widget only."""
    return type(error)(
        f"图表“{widget.key}”用到了您无权查看的数据", f"widget {widget.key!r} reads data you may not see", field="widget"
    )


def refused(widget: Widget, error: EngineError) -> dict[str, Any]:
    """A dashboard widget this user may not see: the others still answer."""
    refusal = unavailable(widget, error)
    return {
        "key": widget.key,
        "type": widget.type,
        "columns": [],
        "rows": [],
        "totals": [],
        "error": {"code": refusal.code, "message": refusal.message},
    }


def run_dashboard(
    rc: ReportContext,
    guard: Guard,
    app: AppDefinition,
    report: ReportDefinition,
    filters: dict[str, str],
    engine: str | None = None,
) -> list[dict[str, Any]]:
    """Every widget's result for the guard's user, each with only the filter values that apply to it."""
    results = []
    for w in report.widgets:
        applying = report.filters_for(w.key, filters)
        try:
            scope_widget(rc, guard, app, w, applying)
        except (NotFound, BadQuery) as e:
            results.append(refused(w, e))
            continue
        results.append(run_widget(rc, app, w, applying, engine))
    return results


__all__ = ["scope_widget", "unavailable", "refused", "run_dashboard"]
