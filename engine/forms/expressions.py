"""The expressions a form carries — formulas, default formulas, validation rules, visible/editable
conditions: checked when the app is saved, computed and enforced when a record is written."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.nodes import BOOL, FieldRef, Type, walk
from engine.expr.scope import Scope, form_scope
from engine.expr.typecheck import Checked, check
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.formula import FormulaField
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition

if TYPE_CHECKING:
    from engine.app import AppDefinition


def _sub_form(field: FieldType) -> FormDefinition:
    """A sub_table's columns as a form of their own, so row formulas see their row."""
    return FormDefinition(key=field.key, name=field.label, fields=list(getattr(field, "fields", [])))


def sub_table_form(field: FieldType) -> FormDefinition:
    """A sub_table's columns as a form, the scope of expressions over one of its rows (print templates)."""
    return _sub_form(field)


def bind_app(form: FormDefinition, app: AppDefinition) -> None:
    """Let the form's expressions follow its relations (`customer.level`): done when an app is parsed."""
    form.__dict__["_scope"] = form_scope(form, app)
    form.__dict__.pop("_checked_expressions", None)  # checked against an older scope


def infer_results(app: AppDefinition) -> None:
    """Formulas without `result` take the type their expression gives: in form order (a formula may use
    the ones above it), sub_table columns first, and again while a pass learns something (a formula may
    read another form's formula through a relation). One that does not check is left to
    expression_issues, which reports it."""
    for _ in range(len(app.forms) + 1):
        if not any([_infer_form(form, app) for form in app.forms]):
            return


def _infer_form(form: FormDefinition, app: AppDefinition) -> bool:
    learnt = False
    for field in form.fields:
        if field.type == "sub_table":
            sub = _sub_form(field)
            learnt |= _infer(sub.fields, form_scope(sub))
    return _infer(form.fields, form_scope(form, app)) or learnt


def _infer(fields: list[FieldType], scope: Scope) -> bool:
    learnt = False
    for field in fields:
        if not isinstance(field, FormulaField) or field.result is not None:
            continue
        try:
            kind = check(field.formula, scope).type
        except ExpressionError:
            continue
        if not kind.is_list and kind.name != field.gives:
            field.infer(kind.name)
            learnt |= field.gives == kind.name
        scope.names[field.key] = Type(field.gives)
    return learnt


def checked(form: FormDefinition, text: str, expect: Type | None = None) -> Checked:
    """`text` type-checked on `form`, once per form and text (definitions never change)."""
    cache: dict[tuple[str, Type | None], Checked] = form.__dict__.setdefault("_checked_expressions", {})
    if (text, expect) not in cache:
        cache[(text, expect)] = check(text, form.__dict__.get("_scope") or form_scope(form), expect=expect)
    return cache[(text, expect)]


def related_paths(form: FormDefinition) -> dict[str, set[str]]:
    """relation key -> the fields of the related record that the form's expressions read."""
    paths: dict[str, set[str]] = {}
    for field in form.fields:
        for _option, text, expect in _expressions(field):
            for node in walk(checked(form, text, expect).node):
                if isinstance(node, FieldRef) and len(node.path) == 2 and form.by_key.get(node.path[0]) is not None \
                        and form.by_key[node.path[0]].type == "relation":
                    paths.setdefault(node.path[0], set()).add(node.path[1])
    return paths


def _expressions(field: FieldType) -> list[tuple[str, str, Type | None]]:
    """(option path, text, expected type) of every expression a field definition holds."""
    found: list[tuple[str, str, Type | None]] = []
    if isinstance(field, FormulaField):
        found.append(("formula", field.formula, Type(field.gives)))
    if field.default_formula:
        found.append(("default_formula", field.default_formula, None))
    for i, rule in enumerate(field.rules):
        found.append((f"rules[{i}].expr", rule.expr, BOOL))
    for option in ("visible_when", "editable_when"):
        if getattr(field, option):
            found.append((option, getattr(field, option), BOOL))
    return found


def expression_issues(form: FormDefinition, where: str) -> list[Issue]:
    """Every expression of the form's fields that does not parse or type-check, at its JSON path."""
    issues = []
    for j, field in enumerate(form.fields):
        scopes = [(form, f"{where}.fields[{j}]", field)]
        if field.type == "sub_table":
            sub = _sub_form(field)
            scopes += [(sub, f"{where}.fields[{j}].fields[{k}]", f) for k, f in enumerate(sub.fields)]
        for scope_form, path, target in scopes:
            for option, text, expect in _expressions(target):
                try:
                    checked(scope_form, text, expect)
                except ExpressionError as e:
                    issues.append(Issue(f"{path}.{option}", e.code, e.message, e.message_en))
    return issues


def _context(ctx: ValueContext, user: str | None) -> EvalContext:
    return EvalContext(now=ctx.now, timezone=ctx.timezone, user=user)


def row_values(form: FormDefinition, data: dict[str, Any], related: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values an expression reads: the data, each sub_table column as a list, and the fields of
    related records (`customer.level`) that the runtime looked up."""
    values = {**(related or {}), **data}
    for field in form.fields:
        if field.type == "sub_table":
            rows = data.get(field.key) or []
            for column in getattr(field, "fields", []):
                values[f"{field.key}.{column.key}"] = [row.get(column.key) for row in rows]
    return values


def compute(form: FormDefinition, data: dict[str, Any], ctx: ValueContext, user: str | None = None,
            related: dict[str, Any] | None = None) -> dict[str, Any]:
    """`data` with every formula (row formulas of sub_tables first) computed and stored."""
    eval_ctx = _context(ctx, user)
    for field in form.fields:
        if field.type == "sub_table" and data.get(field.key):
            sub = _sub_form(field)
            data[field.key] = [compute(sub, dict(row), ctx, user) for row in data[field.key]]
    # Each formula after those of the record it reads (set when the app is checked), else in form order.
    order = form.__dict__.get("_formula_order") or [f for f in form.fields if isinstance(f, FormulaField)]
    for field in order:
        value = field.store(evaluate(checked(form, field.formula, Type(field.gives)),
                                     row_values(form, data, related), eval_ctx))
        if value is None:
            data.pop(field.key, None)
        else:
            data[field.key] = value
    return data


def rule_issues(form: FormDefinition, data: dict[str, Any], ctx: ValueContext, user: str | None = None,
                related: dict[str, Any] | None = None) -> list[Issue]:
    """Rules whose condition is FALSE for this data (a blank result passes, like a SQL CHECK)."""
    eval_ctx = _context(ctx, user)
    values = row_values(form, data, related)
    issues = []
    for field in form.fields:
        for rule in field.rules:
            if evaluate(checked(form, rule.expr, BOOL), values, eval_ctx) is False:
                issues.append(Issue(field.key, "rule", rule.message, rule.message))
    return issues


def where_issues(field: RollupField, source: FormDefinition) -> list[Issue]:
    """A rollup's `where`, checked on its source form: a condition over the source record's own fields
    (its stored values: no relation paths, no system columns, which the summary does not read)."""
    if field.where is None:
        return []
    try:
        found = check(field.where, form_scope(source), expect=BOOL)
    except ExpressionError as e:
        return [Issue("where", e.code, e.message, e.message_en)]
    for node in walk(found.node):
        if isinstance(node, FieldRef) and node.path and node.path[0] not in source.by_key:
            return [Issue("where", "unknown_field", f"汇总条件只能使用表单 {source.key} 自身的字段，{node.path[0]} 不是",
                          f"a rollup condition reads only fields of form {source.key!r}; {node.path[0]!r} is not one")]
    return []


def where_fields(field: RollupField, source: FormDefinition) -> set[str]:
    """The source fields a rollup's `where` reads (a sub_table column counts as its sub_table)."""
    if field.where is None:
        return set()
    return {n.path[0] for n in walk(checked(source, field.where, BOOL).node) if isinstance(n, FieldRef) and n.path}


def counted(field: RollupField, source: FormDefinition, data: dict[str, Any], ctx: ValueContext) -> bool:
    """Whether a source record counts in the rollup: its `where` is TRUE (blank or FALSE: left out)."""
    if field.where is None:
        return True
    return evaluate(checked(source, field.where, BOOL), row_values(source, data), _context(ctx, None)) is True


def not_editable(form: FormDefinition, values: dict[str, Any], existing: dict[str, Any], ctx: ValueContext,
                 user: str | None = None) -> list[Issue]:
    """Changes to fields whose `editable_when` is FALSE on the stored record (blank allows)."""
    issues = []
    for field in form.fields:
        if field.editable_when and field.key in values and values[field.key] != existing.get(field.key):
            allowed = evaluate(checked(form, field.editable_when, BOOL), row_values(form, existing), _context(ctx, user))
            if allowed is False:
                issues.append(Issue(field.key, "not_editable", f"“{field.label}”当前不可修改（{field.editable_when}）",
                                    f"{field.key!r} cannot be changed now ({field.editable_when})"))
    return issues
