"""Where an encrypted field may not go: every place that would need its order, its text, or a copy of
its value at rest. Checked when an app is saved or published, each issue at its JSON path.

An encrypted field is stored as ciphertext plus a blind index (a keyed hash of the value, see
runtime/crypto): the database can tell equal values apart and nothing else. So it may be unique,
indexed for equality, filtered with `=`, `!=` and `in`, and read by rules, visibility and flow
conditions (evaluated in Python on the decrypted record). It may not be a title (titles are shown and
searched everywhere), searched, sorted or range-filtered, copied by a lookup or a stored formula, summed
by a rollup, or used by a report (the analytics mirror does not hold it).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import FieldRef, walk
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from engine.forms.fields.formula import FormulaField
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.rollup import RollupField

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition
    from engine.reports.model import Widget

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NAME = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?\b")


def _refused(path: str, label: str, what: str, what_en: str) -> Issue:
    return Issue(path, "encrypted_field", f"“{label}”已加密，不能{what}", f"{label!r} is encrypted and cannot {what_en}")


def encrypted_named(form: FormDefinition, app: AppDefinition, key: str) -> str | None:
    """The label of the encrypted field `key` (or `relation.field`) names on `form`, else None."""
    first, _, rest = key.partition(".")
    field = form.by_key.get(first)
    if field is not None and rest and hasattr(field, "target") and getattr(field, "target") in app.forms_by_key:  # noqa: B009
        return encrypted_named(app.forms_by_key[getattr(field, "target")], app, rest)  # noqa: B009 — hop by hop
    return field.label if field is not None and field.encrypted else None


def expression_encrypted(text: str, form: FormDefinition, app: AppDefinition) -> str | None:
    """The label of an encrypted field the expression reads, else None (broken ones are reported elsewhere)."""
    try:
        names = [".".join(n.path) for n in walk(check(text, form_scope(form, app)).node) if isinstance(n, FieldRef)]
    except ExpressionError:  # a report's measure, over aggregates: its bare names outside strings
        names = _NAME.findall(_STRING.sub("", text))
    return next((label for name in names if (label := encrypted_named(form, app, name))), None)


def form_encryption_issues(i: int, form: FormDefinition, app: AppDefinition) -> list[Issue]:
    """The places in one form where an encrypted field is used as it cannot be."""
    where = f"forms[{i}]"
    issues: list[Issue] = []
    if form.title_field and (label := encrypted_named(form, app, form.title_field)):
        issues.append(_refused(f"{where}.title_field", label, "作标题字段", "be the title field"))
    for j, key in enumerate(form.search_fields):
        if label := encrypted_named(form, app, key):
            issues.append(_refused(f"{where}.search_fields[{j}]", label, "被搜索", "be searched"))
    for j, columns in enumerate(form.indexes):
        for k, column in enumerate(columns):
            if label := encrypted_named(form, app, column.removeprefix("-")):
                issues.append(_refused(f"{where}.indexes[{j}][{k}]", label, "用于排序索引（唯一和 indexed 可以）",
                                       "be in a sort index (unique and indexed are fine)"))
    for j, field in enumerate(form.fields):
        path = f"{where}.fields[{j}]"
        if isinstance(field, LookupField):
            target = getattr(form.by_key.get(field.relation), "target", None)
            if target in app.forms_by_key and (label := encrypted_named(app.form(target), app, field.field)):
                issues.append(_refused(f"{path}.field", label, "被引用（引用字段会把明文存进另一条记录）",
                                       "be looked up (a lookup would store its plaintext in another record)"))
        if isinstance(field, RollupField) and field.of:
            source = field.source
            if source.form in app.forms_by_key and (label := encrypted_named(app.form(source.form), app, field.of)):
                issues.append(_refused(f"{path}.of", label, "被汇总", "be summarised by a rollup"))
            condition = field.where
            if condition and source.form in app.forms_by_key and (
                    label := expression_encrypted(condition, app.form(source.form), app)):
                issues.append(_refused(f"{path}.where", label, "用在汇总条件中", "be used in a rollup's where"))
        if isinstance(field, FormulaField) and (label := expression_encrypted(field.formula, form, app)):
            issues.append(_refused(f"{path}.formula", label, "用在公式字段中（公式的结果以明文存储）",
                                   "be used by a formula field (its result is stored in plaintext)"))
    return issues


def widget_encryption_issues(widget: Widget, app: AppDefinition, path: str) -> list[Issue]:
    """A widget may not group, measure, filter or bucket by an encrypted field (the mirror lacks it)."""
    form = app.forms_by_key.get(widget.form)
    if form is None:
        return []
    what, what_en = "用在报表中", "be used in a report"
    issues: list[Issue] = []
    for j, dim in enumerate(widget.dimensions):
        if label := encrypted_named(form, app, dim.field):
            issues.append(_refused(f"{path}.dimensions[{j}].field", label, what, what_en))
    for j, measure in enumerate(widget.measures):
        label = encrypted_named(form, app, measure.field) if measure.field else \
            expression_encrypted(measure.expr, form, app) if measure.expr else None
        if label:
            issues.append(_refused(f"{path}.measures[{j}].{'field' if measure.field else 'expr'}", label, what, what_en))
    if widget.filter and (label := expression_encrypted(widget.filter, form, app)):
        issues.append(_refused(f"{path}.filter", label, what, what_en))
    if widget.period is not None and (label := encrypted_named(form, app, widget.period.field)):
        issues.append(_refused(f"{path}.period.field", label, what, what_en))
    return issues


def report_filter_issues(app: AppDefinition) -> list[Issue]:
    """A dashboard filter naming an encrypted field of any widget's form."""
    issues = []
    for i, report in enumerate(app.reports):
        forms = [app.forms_by_key[w.form] for w in report.widgets if w.form in app.forms_by_key]
        for j, f in enumerate(report.filters):
            label = next((x for x in (encrypted_named(form, app, f.field) for form in forms) if x), None)
            if label:
                issues.append(_refused(f"reports[{i}].filters[{j}].field", label, "用在报表中", "be used in a report"))
    return issues


__all__ = ["encrypted_named", "expression_encrypted", "form_encryption_issues", "widget_encryption_issues",
           "report_filter_issues"]
