"""Derived values carry the rights of what they derive from, decided without I/O.

A formula, a lookup, a rollup and a field with a `default_formula` hold values computed from other
fields — of the same record, of the record a relation points at, or of the records pointing here. A
reader may see such a field only when they see, in full, every field it derives from, followed
transitively and across forms; otherwise it is hidden exactly like a hidden field.

`field_sources(app, form)` lists what each derived field reads, as (form, field) pairs;
`hidden_derived(app, form, shown)` takes, per form, the fields the reader sees in full (the runtime
asks the reader's rights on each form in `dependency_forms`) and gives the derived fields of `form`
that must be hidden from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from engine.expr.nodes import FieldRef, walk
from engine.forms.expressions import checked, where_fields
from engine.forms.fields.base import FieldType
from engine.forms.fields.formula import FormulaField
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition

if TYPE_CHECKING:
    from engine.app import AppDefinition

Source = tuple[str, str]
"""A field a value derives from: (form key, field key)."""

FULL_ACCESS = frozenset({"read", "edit"})


def shows_full_value(access: str) -> bool:
    """Whether a field access shows the whole value. Only read and edit do: hidden, masked and any level
    added later show less, so nothing derived from such a field may show more."""
    return access in FULL_ACCESS


def _expression_sources(form: FormDefinition, app: AppDefinition, text: str) -> set[Source]:
    """The fields an expression on `form` reads: its own (a sub_table column counts as its sub_table),
    and through a relation both the relation and the field of the related form."""
    found: set[Source] = set()
    for node in walk(checked(form, text).node):
        if not isinstance(node, FieldRef) or not node.path or node.path[0] not in form.by_key:
            continue  # the record's own columns (id, owner, created_at …) are shown to every reader
        found.add((form.key, node.path[0]))
        target = getattr(form.by_key[node.path[0]], "target", None)
        if len(node.path) == 2 and form.by_key[node.path[0]].type == "relation" and target in app.forms_by_key:
            found.add((target, node.path[1]))
    return found


def _sources(field: FieldType, form: FormDefinition, app: AppDefinition) -> set[Source]:
    found: set[Source] = set()
    if isinstance(field, FormulaField):
        found |= _expression_sources(form, app, field.formula)
    if field.default_formula and not field.computed:
        # The default may copy a value the reader cannot see (`customer.annual_revenue`): the field is
        # derived from what its default reads, even though a writer may change it afterwards.
        found |= _expression_sources(form, app, field.default_formula)
    if isinstance(field, LookupField):
        found.add((form.key, field.relation))
        target = getattr(form.by_key.get(field.relation), "target", None)
        if target is not None:
            found.add((target, field.field))
    if isinstance(field, RollupField):
        found.add((field.source.form, field.source.field))
        if field.of:
            found.add((field.source.form, field.of))
        if field.where and field.source.form in app.forms_by_key:  # which records count is derived too
            found |= {(field.source.form, key) for key in where_fields(field, app.form(field.source.form))}
    return found


def field_sources(app: AppDefinition, form: FormDefinition) -> dict[str, frozenset[Source]]:
    """Derived field key → the fields it reads directly (computed once per form: definitions never change)."""
    cache: dict[str, dict[str, frozenset[Source]]] = form.__dict__.setdefault("_derived_sources", {})
    if app.key not in cache:
        cache[app.key] = {f.key: frozenset(s) for f in form.fields if (s := _sources(f, form, app))}
    return cache[app.key]


def dependency_forms(app: AppDefinition, form_key: str) -> set[str]:
    """The forms whose fields the derived values of `form_key` read, transitively (itself included)."""
    seen, todo = {form_key}, [form_key]
    while todo:
        form = app.forms_by_key[todo.pop()]
        for sources in field_sources(app, form).values():
            for other, _key in sources:
                if other not in seen and other in app.forms_by_key:
                    seen.add(other)
                    todo.append(other)
    return seen


def hidden_derived(app: AppDefinition, form_key: str, shown: Mapping[str, set[str]]) -> set[str]:
    """The derived fields of `form_key` a reader may not see: some field they derive from, directly or
    through other derived fields on any form, is not in `shown` (per form, the fields the reader sees
    in full; a form missing from it shows nothing). Returned whatever their own access (a masked formula
    over a hidden field is hidden too); fields that derive from nothing are never returned."""
    forms = dependency_forms(app, form_key)
    visible = {(f, k) for f in forms for k in shown.get(f, ())}
    sources = {(f, k): s for f in forms for k, s in field_sources(app, app.forms_by_key[f]).items()}
    changed = True
    while changed:  # drop a derived field once one of its sources is dropped; stops: the set only shrinks
        changed = False
        for field, reads in sources.items():
            if field in visible and not reads <= visible:
                visible.discard(field)
                changed = True
    return {k for (f, k), reads in sources.items() if f == form_key and not reads <= visible}


__all__ = ["FULL_ACCESS", "Source", "dependency_forms", "field_sources", "hidden_derived", "shows_full_value"]
