"""Drilling into a widget: which records stand behind one of its points, or behind its "其他" row.

The route lists those records as a records list; this module says which they are, as conditions on
the widget's form in the primary database (the mirror has no records to list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, not_, or_
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.reports.model import Widget
from engine.reports.widgets import widget_types
from runtime.analytics.run import ReportContext, compile_for, run_widget


def drilled_where(rc: ReportContext, app: AppDefinition, widget: Widget, filters: dict[str, str], dialect: str,
                  point: list[Any] | None) -> list[ColumnElement[bool]]:
    """The conditions for the records behind `point` (one row's dimension values), or with `point`
    None for the "其他" row: every record outside the points the widget shows."""
    kept = [] if point is not None else [k for k in run_widget(rc, app, widget, filters, "primary")["keys"]
                                         if k is not None]
    compiled = compile_for(widget, app, "primary", dialect, rc, filters)
    if point is not None:  # the widget's type knows its points: a KPI's current period, a funnel's steps
        return compiled.where + widget_types.get(widget.type).point_where(compiled, point)
    shown = [and_(*compiled.point(k)) for k in kept]
    return compiled.where + ([not_(or_(*shown))] if shown else [])
