"""Checks of role definitions against the app: known forms and fields, conditions that type-check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL
from engine.forms.expressions import checked
from engine.keys import repeated

if TYPE_CHECKING:
    from engine.app import AppDefinition


def role_issues(app: AppDefinition) -> list[Issue]:
    """Every problem of the app's roles, at its JSON path (`roles[1].permissions.quote.fields.cost`)."""
    issues = [Issue(f"roles[{i}].key", "duplicate_key", f"角色 {app.roles[i].key} 重复",
                    f"duplicate role key {app.roles[i].key!r}") for i in repeated([r.key for r in app.roles])]
    for i, role in enumerate(app.roles):
        for form_key, permission in role.permissions.items():
            path = f"roles[{i}].permissions.{form_key}"
            if form_key != "*" and form_key not in app.forms_by_key:
                issues.append(Issue(path, "unknown_form", f"角色“{role.name}”的权限指向不存在的表单 {form_key}",
                                    f"role {role.key!r} has permissions on an unknown form {form_key!r}"))
                continue
            forms = app.forms if form_key == "*" else [app.forms_by_key[form_key]]
            for field_key in permission.fields:
                if not any(field_key in form.by_key for form in forms):
                    issues.append(Issue(f"{path}.fields.{field_key}", "unknown_field",
                                        f"表单没有字段 {field_key}", f"the form has no field {field_key!r}"))
            for op in ("read", "update", "delete"):
                rule = getattr(permission, op)
                if rule is None or rule.when is None:
                    continue
                for form in forms:
                    try:
                        checked(form, rule.when, BOOL)
                    except ExpressionError as e:
                        issues.append(Issue(f"{path}.{op}.when", e.code, e.message, e.message_en))
                        break
    return issues


__all__ = ["role_issues"]
