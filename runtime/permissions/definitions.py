"""App definitions as a user without the `manage` right may see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from engine.app import AppDefinition
from engine.errors import Forbidden, NotFound
from runtime.permissions.check import Guard


def visible_definition(conn: Connection, guard: Guard, app: AppDefinition) -> dict[str, Any]:
    """The definition as a user without `manage` may see it: only the forms they have a right on, without
    the fields hidden from them, without the roles (who may see what is the managers' business) and
    without the flows' tokens and secrets."""
    data = app.dump()
    try:
        guard.require_manage(conn, app.key)
        return data
    except (Forbidden, NotFound):
        pass
    forms = []
    for form in data.get("forms", []):
        try:
            gate = guard.form(conn, app.key, form["key"])
        except NotFound:
            continue
        hidden = gate.hidden
        forms.append(form | {"fields": [f for f in form.get("fields", []) if f["key"] not in hidden]})
    visible = {k: v for k, v in data.items() if k != "roles"} | {"forms": forms}
    if "flows" in visible:
        visible["flows"] = _without_secrets(visible["flows"])
    return visible


SECRETS = ("token", "secret")  # a webhook trigger's token, an outbound webhook's or robot's signing secret


def _without_secrets(value: Any) -> Any:
    """Flows as data, every trigger token and signing secret left out (only managers see those)."""
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRETS}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value


__all__ = ["visible_definition"]
