"""Checking a whole app definition: parse it into the model (engine/app.py), then every cross-reference
between forms, flows, reports and roles, each issue with its JSON path. The validators of the parts read
the model; the model imports none of them, and this module is the one place that calls them all."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.app import AppDefinition
from engine.dedup.model import rule_issues
from engine.errors import InvalidDefinition, Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL
from engine.flows.validate import flow_issues
from engine.forms.dependencies import cycle_issues, formula_order
from engine.forms.encryption import form_encryption_issues, report_filter_issues
from engine.forms.expressions import bind_app, checked, expression_issues, infer_results, where_issues
from engine.forms.fields.base import FieldType
from engine.forms.fields.rollup import RollupField
from engine.forms.fields.sub_table import SubTableField
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.forms.timeline import timeline_issues
from engine.hooks.validate import hook_issues
from engine.keys import repeated
from engine.model_words import chinese
from engine.permissions.check import role_issues
from engine.printing.template import template_issues
from engine.reports.validate import report_issues


def json_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic error location as `forms[2].fields[5].options`, walking the input so that
    the discriminator tags pydantic inserts (`…, 5, 'phone', 'options'`) are left out."""
    path = ""
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        tags = (node.get("type"), node.get("action")) if isinstance(node, dict) else ()
        if part in tags and (part not in node or (i + 1 < len(loc) and loc[i + 1] in tags)):
            # a discriminated-union tag, not a key of the input — an action step's two in a row
            # (`…, 'action', 'delete_record', 'related'`: the step type "action", then the action's name)
            continue
        if isinstance(part, str) and part.startswith(("function-", "list[", "union[")):
            continue
        path += f".{part}" if path else part
        node = node.get(part) if isinstance(node, dict) else None
    return path or "$"


def _pydantic_issues(error: ValidationError, data: Any) -> list[Issue]:
    issues = []
    for e in error.errors(include_url=False):
        message = e["msg"].removeprefix("Value error, ")
        issues.append(Issue(json_path(e["loc"], data), e["type"], chinese(e, message), message))
    return issues


def _field_issues(field: FieldType, form: FormDefinition, app: AppDefinition) -> list[Issue]:
    """A field's own checks, then (once a rollup is sound) its `where`, an expression over its source form
    that the field type cannot check itself: the expression checker reads the field types."""
    issues = field.check(form, app)
    if isinstance(field, RollupField) and not issues:
        return where_issues(field, app.form(field.source.form))
    columns = field.fields if isinstance(field, SubTableField) else []
    for j, column in enumerate(columns):
        if isinstance(column, RollupField) and not column.check(form, app):
            issues += [Issue(f"fields[{j}].{i.path}", i.code, i.message, i.message_en)
                       for i in where_issues(column, app.form(column.source.form))]
    return issues


def _form_issues(i: int, form: FormDefinition, app: AppDefinition) -> list[Issue]:
    where = f"forms[{i}]"
    issues = [Issue(f"{where}.fields[{j}].key", "duplicate_key", f"字段 {form.fields[j].key} 重复",
                    f"duplicate field key {form.fields[j].key!r}") for j in repeated(form.field_keys)]
    for j, field in enumerate(form.fields):
        path = f"{where}.fields[{j}]"
        if field.key in SYSTEM_FIELDS:
            issues.append(Issue(f"{path}.key", "reserved_key", f"{field.key} 是系统字段名",
                                f"{field.key!r} is reserved for a system field"))
        if (field.unique or field.indexed) and not field.is_sortable():
            issues.append(Issue(f"{path}.unique", "not_indexable", f"{field.type} 类型的字段不能设为唯一或索引",
                                f"a {field.type} field cannot be unique or indexed"))
        for issue in _field_issues(field, form, app):
            issues.append(Issue(f"{path}.{issue.path}".rstrip("."), issue.code, issue.message, issue.message_en))
    if form.title_field is not None and form.title_field not in form.by_key:
        issues.append(Issue(f"{where}.title_field", "unknown_field", f"标题字段 {form.title_field} 不存在",
                            f"title_field {form.title_field!r} is not a field of the form"))
    for j, key in enumerate(form.search_fields):
        searched = form.by_key.get(key)
        if searched is None:
            issues.append(Issue(f"{where}.search_fields[{j}]", "unknown_field", f"搜索字段 {key} 不存在",
                                f"search field {key!r} is not a field of the form"))
        elif "contains" not in searched.filter_ops:
            issues.append(Issue(f"{where}.search_fields[{j}]", "not_searchable", f"{searched.type} 类型的字段不能搜索",
                                f"a {searched.type} field cannot be searched (text, phone, e-mail, URL and numbers can)"))
    for j, columns in enumerate(form.indexes):
        for k, column in enumerate(columns):
            key = column.removeprefix("-")
            indexed = form.by_key.get(key)
            if indexed is None and key not in SYSTEM_FIELDS:
                issues.append(Issue(f"{where}.indexes[{j}][{k}]", "unknown_field", f"索引字段 {key} 不存在",
                                    f"index column {key!r} is not a field of the form"))
            elif indexed is not None and not indexed.is_sortable():
                issues.append(Issue(f"{where}.indexes[{j}][{k}]", "not_indexable", f"{indexed.type} 类型不能建索引",
                                    f"a {indexed.type} field cannot be indexed"))
    types = {f.key: f.type for f in form.fields}
    sealed = frozenset(f.key for f in form.encrypted)
    issues += [Issue(f"{where}.{i.path}", i.code, i.message, i.message_en)
               for i in rule_issues(form.duplicate_rules, types, sealed)]
    return issues


def print_template_issues(i: int, form: FormDefinition, app: AppDefinition) -> list[Issue]:
    """Duplicate template keys, and every template's syntax, HTML and placeholders (engine/printing)."""
    where = f"forms[{i}].print_templates"
    keys = [t.key for t in form.print_templates]
    issues = [Issue(f"{where}[{j}].key", "duplicate_key", f"打印模板 {keys[j]} 重复", f"duplicate print template {keys[j]!r}")
              for j in repeated(keys)]
    for j, template in enumerate(form.print_templates):  # placeholders may read records single relations name
        issues += template_issues(form, template, f"{where}[{j}]", app.forms_by_key)
    return issues


def done_issues(form: FormDefinition, where: str) -> list[Issue]:
    """A timeline's `done` expression that does not parse or is not a condition on the form."""
    issues = []
    for j, view in enumerate(form.timelines):
        if view.done is not None:
            try:
                checked(form, view.done, BOOL)
            except ExpressionError as e:
                issues.append(Issue(f"{where}.timelines[{j}].done", e.code, e.message, e.message_en))
    return issues


def check_app(app: AppDefinition) -> list[Issue]:
    """Cross-reference checks that a single model cannot make: duplicate keys, targets, title fields."""
    issues = [Issue(f"forms[{i}].key", "duplicate_key", f"表单 {app.forms[i].key} 重复",
                    f"duplicate form key {app.forms[i].key!r}") for i in repeated([f.key for f in app.forms])]
    infer_results(app)  # before anything reads a formula's type (scopes, storage, lookups of it)
    for i, form in enumerate(app.forms):
        issues.extend(_form_issues(i, form, app))
        bind_app(form, app)
        issues.extend(expression_issues(form, f"forms[{i}]"))
        issues.extend(form_encryption_issues(i, form, app))
        issues.extend(print_template_issues(i, form, app))
        issues.extend(timeline_issues(form, f"forms[{i}]"))
        issues.extend(done_issues(form, f"forms[{i}]"))
    if not issues:  # the graph of derived fields follows sound expressions only
        issues.extend(cycle_issues(app))
        for form in app.forms:
            form.__dict__["_formula_order"] = formula_order(form, app.derived)
    issues.extend(role_issues(app))
    issues.extend(flow_issues(app))
    issues.extend(hook_issues(app))
    if not issues:  # reports are checked against sound forms only
        issues.extend(report_issues(app))
        issues.extend(report_filter_issues(app))
    return issues


def validate_app(data: Any) -> list[Issue]:
    """Every issue of a definition, each with its JSON path; an empty list means valid."""
    try:
        app = AppDefinition.model_validate(data)
    except ValidationError as e:
        return _pydantic_issues(e, data)
    return check_app(app)


def parse_app(data: Any) -> AppDefinition:
    """Parse a definition or raise InvalidDefinition listing every issue."""
    try:
        app = AppDefinition.model_validate(data)
    except ValidationError as e:
        issues = _pydantic_issues(e, data)
    else:
        issues = check_app(app)
        if not issues:
            return app
    raise InvalidDefinition(f"应用定义有 {len(issues)} 处错误", f"the definition has {len(issues)} problem(s)",
                            issues=issues)


__all__ = ["check_app", "json_path", "parse_app", "validate_app"]
