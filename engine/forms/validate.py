"""Record values against a form: every input normalised, or every failing field reported by key."""

from __future__ import annotations

from typing import Any

from engine.errors import FieldValueError, Issue, ValidationFailed
from engine.forms.bounds import check_input
from engine.forms.defaults import apply_default_formulas, fills_by_formula
from engine.forms.expressions import compute, not_editable, rule_issues
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.model import FormDefinition


def _value_issues(field: FieldType, error: FieldValueError) -> list[Issue]:
    if error.issues:  # sub_table rows: paths like "[2].qty" below the field
        return [Issue(f"{field.key}{i.path}", i.code, i.message, i.message_en) for i in error.issues]
    return [Issue(field.key, error.code, error.message, error.message_en)]


def holds_nul(value: Any) -> bool:
    """Whether text in `value` holds U+0000: PostgreSQL's text and JSONB cannot store it, so no
    database gets it (SQLite could, but the two must take the same records)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    return False


def normalize_values(
    form: FormDefinition, values: Any, ctx: ValueContext, *, existing: dict[str, Any] | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """Normalise `values` for a new record (existing=None: defaults apply) or as a partial update of
    `existing` (stored values). Returns the record's whole data, or raises ValidationFailed listing
    every failing field. Keys of removed fields in `existing` are kept: their data is not lost.
    `user` is CURRENT_USER() in expressions."""
    if not isinstance(values, dict):
        raise _failed([Issue("data", "invalid_type", "记录数据应为对象", "record data must be an object")])
    issues: list[Issue] = []
    data = dict(existing or {})
    by_key = form.by_key
    blank = FieldType.is_blank
    for key, raw in values.items():
        field = by_key.get(key)
        if field is None:
            issues.append(Issue(key, "unknown_field", f"表单“{form.name}”没有字段 {key}",
                                f"form {form.key!r} has no field {key!r}"))
        elif field.computed:
            issues.append(Issue(key, "read_only", f"“{field.label}”由系统生成，不能填写",
                                f"{key!r} is set by Tangram and cannot be written"))
        elif blank(raw):
            data.pop(key, None)
        else:
            try:
                check_input(field, raw, ctx.limits)  # before the type does any work on it
                value = field.normalize(raw, ctx)
            except FieldValueError as e:
                if existing is not None and _unchanged(field, raw, existing.get(key)):
                    continue  # the stored value stays: an edit is never refused for a value it leaves alone
                issues.extend(_value_issues(field, e))
                continue
            if holds_nul(value):
                issues.append(Issue(key, "invalid_character", f"“{field.label}”含有空字符（U+0000）",
                                    f"{key!r} contains the NUL character (U+0000)"))
            else:
                data[key] = value
    if existing is None:
        for field in form.defaulted:
            if field.key not in values:
                data[field.key] = field.normalize(field.default, ctx)
    failed = {i.path for i in issues}
    for field in form.required:
        if existing is None and fills_by_formula(field, set(values)):
            continue  # its default formula runs in finish_values, which checks it then
        # On update only an edit that blanks a stored value breaks `required`: a record stored blank
        # before the field became required (publish, "new values only") stays editable.
        if field.key not in failed and blank(data.get(field.key)) and (
                existing is None or not blank(existing.get(field.key))):
            issues.append(_required(field))
    if existing is not None:
        issues += not_editable(form, values, existing, ctx, user)
    if issues:
        raise _failed(issues)
    return data


def finish_values(form: FormDefinition, data: dict[str, Any], given: set[str], ctx: ValueContext, *,
                  creating: bool, user: str | None = None, related: dict[str, Any] | None = None,
                  existing: dict[str, Any] | None = None) -> dict[str, Any]:
    """After normalising (and the runtime filling lookups): default formulas on create, formulas,
    then the validation rules; ValidationFailed lists every broken rule. On update (`existing`: the
    stored data) a rule of a field the edit leaves alone, that the stored record already broke, does
    not refuse the edit: it did not break it."""
    if not form.has_expressions:
        return data
    issues: list[Issue] = []
    if creating:
        issues = apply_default_formulas(form, data, given, ctx, user, related)
    data = compute(form, data, ctx, user, related)
    rules = rule_issues(form, data, ctx, user, related)
    if rules and existing is not None:
        before = rule_issues(form, dict(existing), ctx, user, related)
        rules = [i for i in rules if i not in before or data.get(i.path) != existing.get(i.path)]
    issues += rules
    if issues:
        raise _failed(issues)
    return data


def validate_values(
    form: FormDefinition, values: Any, ctx: ValueContext, *, existing: dict[str, Any] | None = None,
    user: str | None = None,
) -> dict[str, Any]:
    """normalize_values then finish_values: the whole check of a write that needs nothing stored."""
    data = normalize_values(form, values, ctx, existing=existing, user=user)
    return finish_values(form, data, set(values), ctx, creating=existing is None, user=user)


def _required(field: FieldType) -> Issue:
    return Issue(field.key, "required", f"“{field.label}”为必填项", f"{field.key!r} is required")


def _unchanged(field: FieldType, raw: Any, stored: Any) -> bool:
    """Whether an input is the stored value sent back (a whole form saved again): as stored, or as its
    text (a web form's inputs are text)."""
    if stored is None:
        return False
    if raw == stored:
        return True
    columns = getattr(field, "fields", None) if field.type == "sub_table" else None
    if columns is not None:  # rows as a form sends them: text inputs, computed columns left out
        return isinstance(raw, list) and len(raw) == len(stored) and all(
            isinstance(r, dict) and all(_same_cell(c, r.get(c.key), s.get(c.key)) for c in columns
                                        if not type(c).computed) for r, s in zip(raw, stored, strict=True))
    return isinstance(raw, str) and not isinstance(stored, list | dict) and str(field.to_cell(stored)) == raw


def _same_cell(column: FieldType, raw: Any, stored: Any) -> bool:
    if FieldType.is_blank(raw) or raw is False:
        return FieldType.is_blank(stored) or stored is False
    return raw == stored or (stored is not None and str(raw) == str(column.to_cell(stored)))


def _failed(issues: list[Issue]) -> ValidationFailed:
    return ValidationFailed(f"有 {len(issues)} 个字段不符合要求", f"{len(issues)} field(s) are invalid", issues=issues)
