"""App definitions as a user without the `manage` right may see them: nothing they may not see, by name
or by expression.

- Forms: only those they have a right on; without the fields hidden from them, and without any field
  whose formula, lookup or rollup reads one or a field masked for them (transitively, across forms);
  other expressions that name one (`visible_when`, `editable_when`, `default_formula`, validation
  rules) are left out, as are index, search and title entries naming one, and duplicate rules comparing
  one; print templates are listed by key and name only (their placeholders may read anything). Masked
  fields stay listed.
- Flows: a summary (key, name, form, what starts it) of the flows of the forms they see; conditions,
  approvers, steps, webhook URLs and robot tokens are the managers' business.
- Reports: a widget over a form they do not see, or reading a field they do not see in full, is a stub
  `{"key", "type", "unavailable": true}`; dashboard filters on such a field are left out.
- Roles are left out; every credential-bearing value (engine.secrets) too.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from engine.app import AppDefinition
from engine.errors import EngineError, Forbidden, NotFound
from engine.expr.nodes import FieldRef, walk
from engine.expr.parser import parse
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.reports.model import Widget
from engine.secrets import redact
from runtime.permissions.check import Guard

Unseen = dict[str, set[str]]
"""form key -> the field keys a reader may not see (every field of a form they do not see)."""
_EXPRESSION_OPTIONS = ("default_formula", "visible_when", "editable_when")
_PRINT_SUMMARY = ("key", "name", "paper", "orientation")
"""What a reader gets of a print template: enough to choose one (the printout itself hides what it must)."""


def _paths(text: str | None) -> list[tuple[str, ...]] | None:
    """The field paths an expression reads; None when it cannot be read (then it may name anything)."""
    if not text:
        return []
    try:
        return [n.path for n in walk(parse(text)) if isinstance(n, FieldRef)]
    except EngineError:
        return None


def _names_unseen(app: AppDefinition, form: FormDefinition, path: tuple[str, ...], unseen: Unseen) -> bool:
    """Whether a path read on `form` reaches a field the reader may not see (`customer.level` through
    a relation, `lines.qty` inside a sub-table)."""
    if not path or path[0] not in form.by_key:
        return False  # a system column (id, owner, created_at …), visible to every reader
    if path[0] in unseen[form.key]:
        return True
    target = getattr(form.by_key[path[0]], "target", None)
    if len(path) > 1 and target in unseen and path[1] in app.form(target).by_key:
        return path[1] in unseen[target]
    return False


def _expression_unseen(app: AppDefinition, form: FormDefinition, text: str | None, unseen: Unseen) -> bool:
    paths = _paths(text)
    return paths is None or any(_names_unseen(app, form, p, unseen) for p in paths)


def _derives_from_unseen(app: AppDefinition, form: FormDefinition, field: FieldType, unseen: Unseen) -> bool:
    """Whether a formula, lookup or rollup reads a field the reader may not see."""
    if field.type == "formula":
        return _expression_unseen(app, form, getattr(field, "formula", None), unseen)
    if field.type == "lookup":
        return _names_unseen(app, form, (getattr(field, "relation"), getattr(field, "field")), unseen)  # noqa: B009
    if field.type == "rollup":
        source = getattr(field, "source")  # noqa: B009
        hidden_there = unseen.get(source.form, set())
        condition = {p[0] for p in _paths(getattr(field, "where", None)) or [] if p}  # what decides who counts
        return bool({source.field, getattr(field, "of", None) or "", *condition} & hidden_there)
    return False


def unseen_fields(app: AppDefinition, hidden: dict[str, set[str]]) -> Unseen:
    """Every form's fields the reader may not see: the hidden ones (`hidden` has the forms they see),
    every field of the other forms, and what derives from those, until nothing more changes."""
    unseen = {f.key: set(hidden[f.key]) if f.key in hidden else set(f.field_keys) for f in app.forms}
    changed = True
    while changed:
        changed = False
        for form in app.forms:
            for field in form.fields:
                if field.key not in unseen[form.key] and _derives_from_unseen(app, form, field, unseen):
                    unseen[form.key].add(field.key)
                    changed = True
    return unseen


def _field_for_reader(app: AppDefinition, form: FormDefinition, dumped: dict[str, Any], unseen: Unseen) -> dict[str, Any]:
    kept = {k: v for k, v in dumped.items()
            if k not in _EXPRESSION_OPTIONS or not _expression_unseen(app, form, v, unseen)}
    if "rules" in kept:
        kept["rules"] = [r for r in kept["rules"] if not _expression_unseen(app, form, r.get("expr"), unseen)]
    return kept


def _form_for_reader(app: AppDefinition, dumped: dict[str, Any], unseen: Unseen, masked: set[str]) -> dict[str, Any]:
    """The form without what the reader may not see; fields masked for them stay listed (they see a
    mask of their values) unless derived from something unseen."""
    form = app.form(dumped["key"])
    hidden = unseen[form.key]
    kept = {k for k in masked if not _derives_from_unseen(app, form, form.by_key[k], unseen)}
    shown = dict(dumped)
    shown["fields"] = [_field_for_reader(app, form, f, unseen) for f in dumped.get("fields", [])
                       if f["key"] not in hidden or f["key"] in kept]
    if shown.get("title_field") in hidden - kept:
        del shown["title_field"]
    if "search_fields" in shown:
        shown["search_fields"] = [k for k in shown["search_fields"] if k not in hidden]
    if "indexes" in shown:
        shown["indexes"] = [i for i in shown["indexes"] if not any(k.lstrip("-") in hidden for k in i)]
    if "duplicate_rules" in shown:
        shown["duplicate_rules"] = [r for r in shown["duplicate_rules"] if not any(f["field"] in hidden for f in r["fields"])]
    if "print_templates" in shown:  # a layout's placeholders are expressions over any field: the managers' business
        shown["print_templates"] = [{k: t[k] for k in _PRINT_SUMMARY if k in t} for t in shown["print_templates"]]
    if "timelines" in shown:  # a timeline over an unseen date is not theirs; an unseen group or `done` is left out
        shown["timelines"] = [
            {k: v for k, v in view.items() if not (k == "group_by" and v in hidden)
             and not (k == "done" and _expression_unseen(app, form, v, unseen))}
            for view in shown["timelines"] if view["start"] not in hidden and view.get("end") not in hidden]
    return shown


def _widget_unseen(app: AppDefinition, widget: Widget, unseen: Unseen) -> bool:
    form = app.form(widget.form)
    paths = [tuple(d.field.split(".")) for d in widget.dimensions]
    paths += [tuple(m.field.split(".")) for m in widget.measures if m.field]
    if widget.period is not None:
        paths.append(tuple(widget.period.field.split(".")))
    texts = [widget.filter, *(m.expr for m in widget.measures)]
    return any(_names_unseen(app, form, p, unseen) for p in paths) or any(
        _expression_unseen(app, form, t, unseen) for t in texts if t)


def _report_for_reader(app: AppDefinition, dumped: dict[str, Any], unseen: Unseen, seen_forms: set[str]) -> dict[str, Any]:
    report = app.report(dumped["key"])
    widgets = []
    for widget, raw in zip(report.widgets, dumped.get("widgets", []), strict=True):
        if widget.form not in seen_forms or _widget_unseen(app, widget, unseen):
            widgets.append({"key": widget.key, "type": widget.type, "unavailable": True})
        else:
            widgets.append(raw)
    filters = [f for f in dumped.get("filters", [])  # system columns (created_at, owner …) are everyone's
               if not any(f["field"] in unseen[k] for k in seen_forms if f["field"] in app.form(k).by_key)]
    return dumped | {"widgets": widgets, "filters": filters}


def flow_summary(flow: dict[str, Any]) -> dict[str, Any]:
    """What a user needs to know of a flow (its definition as JSON): which it is and what starts it."""
    summary = {k: flow[k] for k in ("key", "name", "name_en", "form") if k in flow}
    return summary | {"trigger": {"on": flow.get("trigger", {}).get("on")}}


def manages(conn: Connection, guard: Guard, app: str) -> bool:
    """Whether the user may change the whole app's definition (administrators, `manage` on "*")."""
    try:
        guard.require_manage(conn, app)
    except (Forbidden, NotFound):
        return False
    return True


def readable_forms(conn: Connection, guard: Guard, app: AppDefinition) -> set[str]:
    """The forms the user has some right on (the others answer 404 to them)."""
    seen = set()
    for form in app.forms:
        try:
            guard.form(conn, app.key, form.key)
        except NotFound:
            continue
        seen.add(form.key)
    return seen


def visible_definition(conn: Connection, guard: Guard, app: AppDefinition) -> dict[str, Any]:
    """The definition as this user may see it: whole for those who manage the app, else as described
    at the top of this module."""
    data = app.dump()
    if manages(conn, guard, app.key):
        return data
    hidden: dict[str, set[str]] = {}
    masked: dict[str, set[str]] = {}
    for form in app.forms:
        try:
            gate = guard.form(conn, app.key, form.key)
        except NotFound:
            continue
        masked[form.key] = gate.masked
        hidden[form.key] = gate.hidden | masked[form.key]  # nothing may read a masked value either
    unseen = unseen_fields(app, hidden)
    visible = {k: v for k, v in data.items() if k not in ("roles", "hooks")}  # hooks: managers only (docs/integrations.md)
    visible["forms"] = [_form_for_reader(app, f, unseen, masked[f["key"]]) for f in data.get("forms", [])
                        if f["key"] in hidden]
    if "flows" in visible:
        visible["flows"] = [flow_summary(f) for f in visible["flows"] if f.get("form") in hidden]
    if "reports" in visible:
        visible["reports"] = [_report_for_reader(app, r, unseen, set(hidden)) for r in visible["reports"]]
    return redact(visible)  # type: ignore[no-any-return]


__all__ = ["flow_summary", "manages", "readable_forms", "unseen_fields", "visible_definition"]
