"""Drilling into a widget: which records stand behind one of its points, or behind its "其他" row.

The route lists those records as a records list; this module says which they are, as conditions on
the widget's form in the primary database (the mirror has no records to list). A widget over a
sub_table's rows lists the records holding the rows behind the point."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, literal_column, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.reports.grain import sub_table_of
from engine.reports.model import Widget
from engine.reports.widgets import widget_types
from runtime.analytics.run import ReportContext, compile_for, run_widget
from runtime.db.tables import records


def drilled_where(rc: ReportContext, app: AppDefinition, widget: Widget, filters: dict[str, str], dialect: str,
                  point: list[Any] | None) -> list[ColumnElement[bool]]:
    """The conditions for the records behind `point` (one row's dimension values), or with `point`
    None for the "其他" row: every record outside the points the widget shows."""
    kept = [] if point is not None else [k for k in run_widget(rc, app, widget, filters, "primary")["keys"]
                                         if k is not None]
    compiled = compile_for(widget, app, "primary", dialect, rc, filters)
    if point is not None:  # the widget's type knows its points: a KPI's current period, a funnel's steps
        where = compiled.where + widget_types.get(widget.type).point_where(compiled, point)
    else:
        shown = [and_(*compiled.point(k)) for k in kept]
        where = compiled.where + widget_types.get(widget.type).scope_where(compiled) + \
            ([not_(or_(*shown))] if shown else [])
    if sub_table_of(widget, app.form(widget.form)) is None:
        return where
    # Over a sub_table's rows: the records with at least one such row, each listed once.
    rows = select(literal_column("records.id")).select_from(compiled.table).where(*where)
    return [records.c.id.in_(rows)]
