"""A widget's grain: the form's records, or the rows of one of its sub_tables.

A widget whose dimensions, measures, filter or calculated measures name a sub_table column
(`lines.subtotal`) runs over that sub_table's rows, each joined to its record: the column is then a
single value per row (not the record's list of them), the record's own fields and the fields it
reaches through relations are there too (repeated on each of its rows), and COUNT() counts rows.
A widget names one sub_table at most: rows of two sub_tables have nothing to be joined on."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.errors import InvalidDefinition, Issue
from engine.expr.nodes import Type
from engine.expr.scope import Scope, field_type, form_scope
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.reports.model import Widget

if TYPE_CHECKING:
    from engine.app import AppDefinition

_PATH = re.compile(r'"(?:[^"\\]|\\.)*"|([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)')


def _named_paths(widget: Widget) -> list[tuple[str, str]]:
    """Every `a.b` the widget names: its fields, and paths in its expressions (string literals skipped)."""
    texts = [widget.filter or "", *(m.expr or "" for m in widget.measures), *(s.filter or "" for s in widget.steps or [])]
    paths = [m.groups() for t in texts for m in _PATH.finditer(t) if m.group(1)]
    fields = [d.field for d in widget.dimensions] + [m.field or "" for m in widget.measures]
    return [(a, b) for a, b in paths] + [tuple(f.split(".", 1)) for f in fields if "." in f]  # type: ignore[misc]


def sub_table_of(widget: Widget, form: FormDefinition) -> str | None:
    """The key of the sub_table whose rows the widget runs over, or None (the form's records).
    InvalidDefinition when it names columns of two sub_tables."""
    named = sorted({first for first, _ in _named_paths(widget)
                    if getattr(form.by_key.get(first), "type", None) == "sub_table"})
    if len(named) > 1:
        zh = f"一个图表只能统计一个子表的行（用到了 {'、'.join(named)}）"
        en = f"a widget runs over the rows of one sub_table at most (it names {', '.join(named)})"
        raise InvalidDefinition(zh, en, issues=[Issue("widget.dimensions", "two_sub_tables", zh, en)])
    return named[0] if named else None


def report_scope(form: FormDefinition, app: AppDefinition | None, sub: str | None) -> Scope:
    """The names a widget's expressions may use: the form's scope, where the columns of the sub_table it
    runs over (`sub`) are single values of the row rather than the record's lists."""
    scope = form_scope(form, app)
    if app is not None:
        scope.lookups.update(second_hops(form, app))
    if sub is None or sub not in form.by_key:
        return scope
    for column in getattr(form.by_key[sub], "fields", []):
        kind = field_type(column)
        if kind is not None and not kind.is_list:
            scope.columns.pop((sub, column.key), None)
            scope.lookups[(sub, column.key)] = kind
    return scope


def second_hops(form: FormDefinition, app: AppDefinition) -> dict[tuple[str, ...], Type]:
    """`customer.parent.region`: fields two single relations away, as report fields name them (the expression
    grammar has one dot: expressions reach one hop, a dimension's or measure's `field` two)."""
    out: dict[tuple[str, ...], Type] = {}
    for first in form.fields:
        middle = _single_target(first, app)
        for hop in middle.fields if middle is not None else []:
            last = _single_target(hop, app)
            for f in last.fields if last is not None else []:
                kind = field_type(f)
                if kind is not None:
                    out[(first.key, hop.key, f.key)] = kind
    return out


def _single_target(holder: FieldType, app: AppDefinition) -> FormDefinition | None:
    target = getattr(holder, "target", None)
    if holder.type != "relation" or getattr(holder, "multiple", False) or target not in app.forms_by_key:
        return None
    return app.form(target)


def widget_scope(widget: Widget, app: AppDefinition) -> Scope:
    """The expression scope of a widget (its form's, at its grain)."""
    form = app.form(widget.form)
    return report_scope(form, app, sub_table_of(widget, form))


__all__ = ["sub_table_of", "report_scope", "widget_scope", "second_hops"]
