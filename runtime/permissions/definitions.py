"""App definitions as a user without the `manage` right may see them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from engine.app import AppDefinition
from engine.errors import Forbidden, NotFound
from runtime.permissions.check import Guard


def visible_definition(conn: Connection, guard: Guard, app: AppDefinition) -> dict[str, Any]:
    """The definition as a user without `manage` may see it: only the forms they have a right on, without
    the fields hidden from them, and without the roles (who may see what is the managers' business)."""
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
    return {k: v for k, v in data.items() if k != "roles"} | {"forms": forms}


__all__ = ["visible_definition"]
