"""What the chart builder offers for one form: its fields, the system columns, the fields of the
forms its single relations lead to (`customer.industry`) and its sub_tables' columns (`lines.qty`), each with the roles the report engine gives it
— a dimension (with date buckets), the aggregates it takes as a measure — and the type expressions see
(for the filter's condition picker). Asked of the engine itself (plan_dimension, the expression scope),
so the builder never offers what a query would refuse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidDefinition
from engine.expr.nodes import NUMBER, Type
from engine.expr.scope import form_scope
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.dimensions import path_label, plan_dimension, related_path
from engine.reports.grain import report_scope, second_hops
from engine.reports.model import Dimension

if TYPE_CHECKING:
    from engine.app import AppDefinition

_ORDERED = ("number", "date", "datetime", "text")  # MIN / MAX keep these types


@dataclass(frozen=True)
class ReportField:
    """One field as the builder lists it, under `group` (the form's name, or the relation's label)."""

    key: str
    label: str
    group: str
    type: str
    kind: str | None  # the expression type; None where expressions cannot read it
    dimension: bool
    buckets: bool
    aggs: tuple[str, ...]
    options: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "group": self.group,
            "type": self.type,
            "kind": self.kind,
            "dimension": self.dimension,
            "buckets": self.buckets,
            "aggs": list(self.aggs),
            **({"options": self.options} if self.options else {}),
        }


def _aggs(kind: Type | None) -> tuple[str, ...]:
    if kind is None or kind.is_list:
        return ()
    if kind == NUMBER:
        return ("sum", "avg", "min", "max", "count", "count_distinct")
    return ("count", "count_distinct") + (("min", "max") if str(kind) in _ORDERED else ())


def _entry(
    form: FormDefinition,
    app: AppDefinition,
    key: str,
    label: str,
    group: str,
    type_: str,
    kind: Type | None,
    options: list[dict[str, str]],
) -> ReportField:
    try:
        plan = plan_dimension(Dimension(field=key), form, "field", app)
        groups, buckets = True, plan.is_time
    except InvalidDefinition:
        groups, buckets = False, False
    return ReportField(key, label, group, type_, str(kind) if kind else None, groups, buckets, _aggs(kind), options)


def _options(f: FieldType) -> list[dict[str, str]]:
    return [{"value": o.value, "label": o.label} for o in getattr(f, "options", None) or []]


def _second_hops(form: FormDefinition, app: AppDefinition) -> dict[tuple[str, ...], Type | None]:
    """second_hops, and the addresses two hops away (no type in expressions; a dimension by province)."""
    out: dict[tuple[str, ...], Type | None] = dict(second_hops(form, app))
    for first in form.fields:
        for hop in _fields_of(first, app):
            for other in _fields_of(hop, app):
                if other.type == "address":
                    out[(first.key, hop.key, other.key)] = None
    return out


def _fields_of(holder: FieldType, app: AppDefinition) -> list[FieldType]:
    """The fields of the form a single relation leads to; none for any other field."""
    target = getattr(holder, "target", None)
    if holder.type != "relation" or getattr(holder, "multiple", False) or target not in app.forms_by_key:
        return []
    return list(app.form(target).fields)


def report_fields(form: FormDefinition, app: AppDefinition) -> list[ReportField]:
    """The form's fields, then its system columns, then each single relation's target fields, then the fields
    two single relations away (`customer.parent.region`, grouped under 客户.上级), then each
    sub_table's columns (`lines.qty`, grouped under the sub_table's label: a chart using one runs over the
    sub_table's rows, engine/reports/grain.py). The builder is for the app's managers, who see every field."""
    scope = form_scope(form, app)
    out: list[ReportField] = []
    for f in form.fields:
        if f.type != "sub_table":
            out.append(_entry(form, app, f.key, f.label, form.name, f.type, scope.names.get(f.key), _options(f)))
    for key, system in SYSTEM_FIELDS.items():
        if key != "version":
            out.append(_entry(form, app, key, system.label, form.name, system.kind, system.expression_type, []))
    for f in form.fields:
        target = getattr(f, "target", None)
        if target not in app.forms_by_key or getattr(f, "multiple", False):
            continue
        for other in app.form(target).fields:
            kind = scope.lookups.get((f.key, other.key))
            if kind is None and other.type != "address":  # an address, unread by expressions, groups by province
                continue
            out.append(
                _entry(
                    form,
                    app,
                    f"{f.key}.{other.key}",
                    f"{f.label}.{other.label}",
                    f.label,
                    other.type,
                    kind,
                    _options(other),
                )
            )
    for path, kind in _second_hops(form, app).items():  # `customer.parent.region`, under 客户.上级
        found = related_path(form, app, ".".join(path))
        if found is not None:
            holders, other = found
            out.append(_entry(form, app, ".".join(path), path_label(holders, other), path_label(holders[:-1], holders[-1]),
                              other.type, kind, _options(other)))
    for f in form.fields:
        if f.type != "sub_table":
            continue
        rows = report_scope(form, app, f.key)
        for column in getattr(f, "fields", []):
            kind = rows.lookups.get((f.key, column.key))
            if kind is None:
                continue
            key, label = f"{f.key}.{column.key}", f"{f.label}.{column.label}"
            out.append(_entry(form, app, key, label, f.label, column.type, kind, _options(column)))
    return out


__all__ = ["ReportField", "report_fields"]
