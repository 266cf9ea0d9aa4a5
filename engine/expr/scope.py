"""What names an expression on a form may use, and their types: the form's fields, the record's
system fields, sub_table columns (`lines.qty`, a list) and fields through a relation (`customer.level`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine.expr.nodes import BOOL, DATE, DATETIME, NUMBER, TEXT, Type, list_of
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS

if TYPE_CHECKING:
    from engine.app import AppDefinition

_NAMED = {"number": NUMBER, "text": TEXT, "bool": BOOL, "date": DATE, "datetime": DATETIME,
          "list[text]": list_of(TEXT), "list[number]": list_of(NUMBER)}


def field_type(field: FieldType) -> Type | None:
    name = field.expression_type()
    return _NAMED[name] if name else None


@dataclass(frozen=True)
class Scope:
    """Names and their types; `lookups` are relation fields, `columns` sub_table columns."""

    form: FormDefinition
    names: dict[str, Type] = field(default_factory=dict)
    columns: dict[tuple[str, str], Type] = field(default_factory=dict)
    lookups: dict[tuple[str, ...], Type] = field(default_factory=dict)  # (reports add two hops: engine/reports/grain.py)
    unusable: dict[str, str] = field(default_factory=dict)  # key -> its field type, for the error message
    open_roots: frozenset[str] = frozenset()
    """Names under which any path may be read, of a type known only when evaluated (an inbound hook's
    `payload`: JSON posted by another system; engine/hooks)."""


def form_scope(form: FormDefinition, app: AppDefinition | None = None) -> Scope:
    """The scope of expressions written on `form` (with `app`, relations can be followed)."""
    scope = Scope(form, {key: f.expression_type for key, f in SYSTEM_FIELDS.items()})
    for f in form.fields:
        kind = field_type(f)
        if kind is not None:
            scope.names[f.key] = kind
        elif f.type != "sub_table":
            scope.unusable[f.key] = f.type
        for sub in getattr(f, "fields", []) if f.type == "sub_table" else []:
            sub_kind = field_type(sub)
            if sub_kind is not None and not sub_kind.is_list:
                scope.columns[(f.key, sub.key)] = list_of(sub_kind)
        target = getattr(f, "target", None)
        if app is not None and target in app.forms_by_key and not getattr(f, "multiple", False):
            for other in app.form(target).fields:
                other_kind = field_type(other)
                if other_kind is not None:
                    scope.lookups[(f.key, other.key)] = other_kind
    return scope
