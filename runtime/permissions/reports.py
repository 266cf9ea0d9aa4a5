"""Reports through the permission gate: a widget sees the records its user may read and only the fields
they may see, on the primary database and on the mirror alike.

The row scope is decided once as data (owners, departments, conditions: engine.permissions.rights) and
compiled over whichever source answers — `records` columns on the primary database, the typed mirror
table's columns on DuckDB — so both engines count the same rows. A widget, or a dashboard filter, that
names a field hidden from the user is refused exactly as an unknown field. Extra read grants (shares, an
approver's task) open single records; they do not widen dashboards."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ColumnElement

from engine.app import AppDefinition
from engine.errors import Forbidden, NotFound
from engine.expr.evaluate import EvalContext
from engine.permissions.rights import RowScope, row_scope
from engine.reports.compile import expression_clause
from engine.reports.model import ReportDefinition, Widget
from runtime.permissions.check import FormGate, Guard, unknown_field
from runtime.permissions.scope import org_for, roles_of, terms_clause

SourceScope = Callable[[Any], ColumnElement[bool]]
_NAME = re.compile(r'"(?:[^"\\]|\\.)*"|([A-Za-z_][A-Za-z0-9_]*)')
_PATH = re.compile(r'"(?:[^"\\]|\\.)*"|([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)')


def _names(expression: str | None) -> set[str]:
    """The identifiers an expression names (string literals skipped)."""
    return {m.group(1) for m in _NAME.finditer(expression or "") if m.group(1)}


def widget_fields(widget: Widget) -> set[str]:
    """Every field key a widget reads: dimensions, measures, its filter and calculated measures, its period."""
    keys = {d.field for d in widget.dimensions} | {m.field for m in widget.measures if m.field}
    keys |= _names(widget.filter) | {n for m in widget.measures for n in _names(m.expr)}
    if widget.period is not None:
        keys.add(widget.period.field)
    return {k.split(".")[0] for k in keys}


def _paths(widget: Widget) -> set[tuple[str, str]]:
    """Every `relation.field` a widget's expressions and fields name (string literals skipped)."""
    texts = [widget.filter or "", *(m.expr or "" for m in widget.measures),
             *(d.field for d in widget.dimensions), *(m.field or "" for m in widget.measures)]
    return {(m.group(1), m.group(2)) for t in texts for m in _PATH.finditer(t) if m.group(1)}


def _hidden_through(gate: FormGate, widget: Widget, filter_keys: Iterable[str] = ()) -> str | None:
    """A field a widget (or a dashboard filter applying to it) reads through a relation
    (`customer.annual_revenue`) that the user may not see in full on the related form (hidden or masked),
    as `relation.field`; None when there is none."""
    filtered = {tuple(k.split(".", 1)) for k in filter_keys if "." in k}
    for relation, key in sorted(_paths(widget) | filtered):  # type: ignore[arg-type]
        target = getattr(gate.ref.form.by_key.get(relation), "target", None)
        if target is not None and _unseen(gate, target, key):
            return f"{relation}.{key}"
    fields = [d.field for d in widget.dimensions] + [m.field or "" for m in widget.measures]
    for path in sorted(f for f in fields if f.count(".") == 2):  # two hops: the last field, on the far form
        first, middle, last = path.split(".")
        target = getattr(gate.ref.form.by_key.get(first), "target", None)
        middle_form = gate.ref.app.forms_by_key.get(target or "")
        end = getattr(middle_form.by_key.get(middle), "target", None) if middle_form is not None else None
        if end is not None and _unseen(gate, end, last):
            return path
    return None


def _unseen(gate: FormGate, form: str, key: str) -> bool:
    """Whether the user may not see `key` of `form` in full (hidden or masked)."""
    return key in gate.sight.hidden(form) or key in gate.sight.rights(form).masked_fields()


def _compile(scope: RowScope, app: AppDefinition, form: str, ctx: EvalContext) -> SourceScope | None:
    """The row scope as a function of the source that answers (primary `records` or a mirror table)."""
    if scope.all:
        return None

    def clause(source: Any) -> ColumnElement[bool]:
        compiled = terms_clause(scope, source.value("owner"), source.value("department"), lambda when: expression_clause(
            when, app, form, source, ctx, "权限条件 / row condition"))
        assert compiled is not None  # only an unrestricted scope compiles to None, and it returned above
        return compiled

    return clause


def widget_gate(conn: Connection, guard: Guard, app: AppDefinition, widget: Widget,
                filter_keys: Iterable[str] = ()) -> tuple[FormGate, SourceScope | None]:
    """The user's gate on the widget's form (404 without a right on it) and the row scope to compile over
    a source; a hidden or masked field in the widget or in an applicable dashboard filter is an unknown field."""
    gate = guard.form(conn, app.key, widget.form, "read")
    hidden = gate.hidden | gate.masked  # grouping or summing a masked field would reveal its values
    form = app.form(widget.form)
    filter_keys = list(filter_keys)
    used = widget_fields(widget) | {k.split(".")[0] for k in filter_keys if k.split(".")[0] in form.by_key}
    for key in sorted(used & hidden):
        raise unknown_field(gate.ref, key)
    through = _hidden_through(gate, widget, filter_keys)
    if through is not None:
        raise unknown_field(gate.ref, through)
    username = guard.actor.username
    org = org_for(conn, username, any(r.scope.startswith("department") for r in gate.rights.rules("read")))
    return gate, _compile(row_scope(gate.rights, "read", username, org), app, widget.form, gate.ctx)


def report_visible(conn: Connection, guard: Guard, app: str, report: ReportDefinition) -> bool:
    """Whether the actor may see the dashboard: it names no roles, or they hold one of them, or they may
    change the app's definition (who sets the roles sees what they set); the app itself being visible is
    the caller's check. Seeing a dashboard never widens what its widgets count (`widget_gate`)."""
    if not report.roles or guard.actor.is_admin:
        return True
    if set(report.roles) & set(roles_of(conn, guard.actor.user_id, app)):
        return True
    try:
        guard.require_manage(conn, app)
    except (Forbidden, NotFound):
        return False
    return True


def require_report_visible(conn: Connection, guard: Guard, app: AppDefinition, report: ReportDefinition) -> None:
    """`report_visible` or a 404 naming the report as absent (as a hidden form is)."""
    if not report_visible(conn, guard, app.key, report):
        raise NotFound(f"应用“{app.name}”没有报表 {report.key}", f"app {app.key!r} has no report {report.key!r}")


__all__ = ["widget_fields", "widget_gate", "report_visible", "require_report_visible"]
