"""What a record would be if saved now, while it is being filled in: formulas, sub-table subtotals,
lookups — computed by the same functions a create runs, nothing written.

A half-filled form is the normal case, so required fields are not demanded and values that do not
fit yet are left out (and reported) rather than failing the whole preview."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from engine.errors import Issue, ValidationFailed
from engine.forms.expressions import bind_app
from engine.forms.model import FormDefinition
from runtime.records.context import Change, FormRef
from runtime.records.records import validate_many
from runtime.records.references import reference_issues


def _optional(field: dict[str, Any]) -> dict[str, Any]:
    field = {k: v for k, v in field.items() if k != "required"}
    if isinstance(field.get("fields"), list):
        field["fields"] = [_optional(sub) for sub in field["fields"]]
    return field


def lenient(form: FormDefinition) -> FormDefinition:
    """The form with nothing required (the definition is otherwise unchanged)."""
    data = form.dump()
    data["fields"] = [_optional(f) for f in data.get("fields", [])]
    return FormDefinition.model_validate(data)


def _key(issue: Issue) -> str:
    return issue.path.removeprefix("items[0].").split(".")[0].split("[")[0]


def preview(conn: Connection, ref: FormRef, values: dict[str, Any], change: Change) -> tuple[dict[str, Any] | None,
                                                                                           list[Issue]]:
    """(the computed data or None, the problems found) for a record being filled in."""
    relaxed = FormRef(ref.app, ref.version, lenient(ref.form))
    bind_app(relaxed.form, ref.app)  # its formulas read through relations (`vendor.rating`) as the form's do
    issues: list[Issue] = []
    given = dict(values)
    for _ in range(3):  # later passes without the values that did not fit
        try:
            data = validate_many(conn, relaxed, [given], change)[0]
            # A relation naming a missing record, or one the writer may not read, is left out like any
            # value that does not fit: the preview computes nothing from it (no lookup, no formula).
            missing = reference_issues(conn, relaxed, [{k: data[k] for k in given if k in data}], "", change.reads)
            if not missing:
                return data, issues
            raise ValidationFailed("", "", issues=missing)
        except ValidationFailed as e:
            found = [Issue(i.path.removeprefix("items[0]."), i.code, i.message, i.message_en) for i in e.issues]
            issues += found
            bad = {_key(i) for i in found}
            if not bad & set(given):
                return None, issues
            given = {k: v for k, v in given.items() if k not in bad}
    return None, issues
