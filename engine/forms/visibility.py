"""Which fields a form shows and lets change for given values: `visible_when` and `editable_when`.

The web form asks (through the record preview) instead of evaluating expressions itself, so the
rule lives here once. A blank result shows / allows, as for validation rules.

A value written to a field its `visible_when` hides is dropped, not refused (`drop_hidden`): the web
form keeps what was typed into a field that a later choice hid, and an export brought back in holds
every column; refusing would fail such writes over a field the writer cannot see. Dropping stores
only what the form shows; the response, the record as committed, tells what was kept."""

from __future__ import annotations

from typing import Any

from engine.expr.evaluate import evaluate
from engine.expr.nodes import BOOL
from engine.forms.expressions import _context, checked, row_values
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition


def _false_for(form: FormDefinition, option: str, data: dict[str, Any], ctx: ValueContext, user: str | None,
               related: dict[str, Any] | None) -> list[str]:
    values, eval_ctx = row_values(form, data, related), _context(ctx, user)
    keys = []
    for field in form.fields:
        text = getattr(field, option)
        if text and evaluate(checked(form, text, BOOL), values, eval_ctx) is False:
            keys.append(field.key)
    return keys


def hidden_fields(form: FormDefinition, data: dict[str, Any], ctx: ValueContext, user: str | None = None,
                  related: dict[str, Any] | None = None) -> list[str]:
    """Keys of the fields whose `visible_when` is FALSE for these values."""
    return _false_for(form, "visible_when", data, ctx, user, related)


def locked_fields(form: FormDefinition, stored: dict[str, Any], ctx: ValueContext, user: str | None = None) -> list[str]:
    """Keys of the fields whose `editable_when` is FALSE on the stored record (the update refuses them)."""
    return _false_for(form, "editable_when", stored, ctx, user, None)


def drop_hidden(form: FormDefinition, data: dict[str, Any], given: set[str], previous: dict[str, Any],
                ctx: ValueContext, user: str | None = None, related: dict[str, Any] | None = None) -> dict[str, Any]:
    """`data` with the `given` fields that `visible_when` hides (for `data` itself) back at their
    `previous` (stored) values: what the writer sent them is not kept."""
    if not any(f.visible_when and f.key in given for f in form.fields):
        return data
    hidden = [k for k in hidden_fields(form, data, ctx, user, related) if k in given]
    if not hidden:
        return data
    kept = {k: v for k, v in data.items() if k not in hidden}
    return kept | {k: previous[k] for k in hidden if k in previous}
