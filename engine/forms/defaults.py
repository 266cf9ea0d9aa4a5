"""Defaults of a new record: a field's literal `default` and its `default_formula` (TODAY(),
CURRENT_USER() …), as the form starts and as a create fills what was not given. `now` and the user
are passed in (ValueContext, `user`): the engine reads no clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from engine.errors import FieldValueError, Issue
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext, evaluate
from engine.forms.expressions import checked, row_values
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.model import FormDefinition


def fills_by_formula(field: FieldType, given: set[str]) -> bool:
    """Whether a create that did not give `field` gets it from its default formula (so `required` is
    checked after the formula ran, not before)."""
    return bool(field.default_formula) and field.key not in given and not field.computed


def formula_default(form: FormDefinition, field: FieldType, values: dict[str, Any], ctx: ValueContext,
                    user: str | None) -> Any:
    """The normalised value of `field`'s default formula over `values` (None when it gives blank)."""
    value = evaluate(checked(form, field.default_formula or ""), values,
                     EvalContext(now=ctx.now, timezone=ctx.timezone, user=user))
    return None if FieldType.is_blank(value) else field.normalize(as_input(value), ctx)


def apply_default_formulas(form: FormDefinition, data: dict[str, Any], given: set[str], ctx: ValueContext,
                           user: str | None = None, related: dict[str, Any] | None = None) -> list[Issue]:
    """On create: fields not given get their `default_formula`'s value (normalised, into `data`); a
    value the field refuses, or a required field left blank, is an issue at that field."""
    issues = []
    for field in form.fields:
        if not fills_by_formula(field, given):
            continue
        try:
            value = formula_default(form, field, row_values(form, data, related), ctx, user)
        except FieldValueError as e:
            issues.append(Issue(field.key, "invalid_default", f"默认公式的结果不符合字段要求：{e.message}",
                                f"the default formula gives a value the field refuses: {e.message_en or e.message}"))
            continue
        if value is not None:
            data[field.key] = value
        elif field.required:
            issues.append(Issue(field.key, "required", f"“{field.label}”为必填项", f"{field.key!r} is required"))
    return issues


def initial_values(form: FormDefinition, ctx: ValueContext, user: str | None = None) -> dict[str, Any]:
    """What a new record's form starts with: every literal default and every default formula that
    gives a value on an empty record (one reading other fields waits for the create). A default that
    does not fit is left out here: the create reports it at its field."""
    values: dict[str, Any] = {}
    for field in form.writable:
        try:
            if not FieldType.is_blank(field.default):
                values[field.key] = field.normalize(field.default, ctx)
            elif field.default_formula and not checked(form, field.default_formula).fields:
                value = formula_default(form, field, {}, ctx, user)
                if value is not None:
                    values[field.key] = value
        except (FieldValueError, ExpressionError):
            continue
    return values


def as_input(value: Any) -> Any:
    """An expression's value as field input: decimals as exact text, dates in ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
