"""The roles page's API (应用设置 → 角色与权限): the draft's roles with the forms and fields the matrix
shows; put a whole role (name, defaults, the matrix) into the draft, copy or remove one; and which role
grants each right to a user. Edits go to the draft (422 with every problem at its JSON path, which the
page shows on the cell); publishing is the app's publish (runtime/api/apps.py), so roles are versioned
with the definition. Members are not in the definition: runtime/api/org.py sets them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request

from engine.app_check import parse_app
from engine.permissions import role_builder
from runtime.accounts import accounts, org
from runtime.api.apps import edit_draft
from runtime.api.deps import DB
from runtime.api.guard import NO_RECORDS, Gatekeeper
from runtime.apps import definitions
from runtime.permissions.scope import roles_of
from runtime.schemas.org import CopyRoleIn

router = APIRouter(prefix="/api/v1/apps/{app}", tags=["roles"], dependencies=[NO_RECORDS])


def _form_json(form: Any) -> dict[str, Any]:
    return {"key": form.key, "name": form.name,
            "fields": [{"key": f.key, "label": f.label, "type": f.type} for f in form.fields]}


@router.get("/draft/roles")
def list_draft_roles(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The draft's roles as the page edits them, the forms with their fields (the matrix's rows), and the
    members of each published role (`{"users", "departments"}`)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        membership = org.role_membership(conn, app)
    forms = parse_app(draft).forms  # the draft's: a form added in the builder gets its row before publishing
    return {"roles": draft.get("roles", []), "forms": [_form_json(f) for f in forms], "members": membership}


def _edit(app: str, role: str, request: Request, db: DB, guard: Gatekeeper, edit: Any) -> dict[str, Any]:
    """One edit of the draft's roles (needs `manage` on the whole app), audited with what it changed in the
    role `role` (edit_draft writes the entry after the edit has run, so the detail filled here is in it)."""
    detail: dict[str, Any] = {"role": role}

    def compared(draft: dict[str, Any]) -> dict[str, Any]:
        edited: dict[str, Any] = edit(draft)
        detail["changed"] = role_builder.role_changes(draft, edited, role)
        return edited

    return edit_draft(app, request, db, guard, compared, detail=detail).dump()


@router.put("/draft/roles/{role}")
def put_role(app: str, role: str, definition: Annotated[dict[str, Any], Body()], request: Request, db: DB,
             guard: Gatekeeper) -> Any:
    """Save the whole role into the draft (a new key adds it; a new `name` renames it); 422 with every
    problem at its JSON path (`roles[1].permissions.customer.read.when`)."""
    saved = _edit(app, role, request, db, guard, lambda d: role_builder.put_role(d, role, definition))
    return role_builder.role_of(saved, role)


@router.post("/draft/roles/{role}/copy", status_code=201)
def copy_role(app: str, role: str, body: CopyRoleIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A copy of the role's rights under a new key (without members: give them after publishing)."""
    saved = _edit(app, body.key, request, db, guard, lambda d: role_builder.copy_role(d, role, body.key, body.name))
    return role_builder.role_of(saved, body.key)


@router.delete("/draft/roles/{role}", status_code=204)
def remove_role(app: str, role: str, request: Request, db: DB, guard: Gatekeeper) -> None:
    """Remove the role from the draft (422 while a flow's approvers name it); its members lose it on publish."""
    _edit(app, role, request, db, guard, lambda d: role_builder.remove_role(d, role))


@router.get("/roles/explain")
def explain(app: str, user: str, db: DB, guard: Gatekeeper) -> Any:
    """Why a user may do what they do in the published app ("why can 张三 see this"): the roles they hold
    (named directly or through a department) and, per form, which of them grants each operation and
    each field's access."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        row = accounts.user_row(conn, user)
        definition, version = definitions.current(conn, app)
        held = [definition.roles_by_key[k] for k in roles_of(conn, row.id, app) if k in definition.roles_by_key]
        membership = org.role_membership(conn, app)
        snapshot = org.load_org(conn)
    mine = snapshot.departments_of(user)
    above = {a for d in mine for a in snapshot.ancestors(d)}

    def through(role: str) -> list[str]:
        """"user", and each member department that gives the role: one of theirs, or one above with 含下级部门."""
        given = membership.get(role, {})
        below = set(given.get("with_subdepartments", []))
        return ["user"] * (user in given.get("users", [])) + sorted(
            d for d in given.get("departments", []) if d in mine or (d in below and d in above))

    roles = [{"key": r.key, "name": r.name, "through": through(r.key)} for r in held]
    return {"user": user, "is_admin": bool(row.is_admin), "version": version, "roles": roles,
            "forms": {f.key: role_builder.explain(f, held) for f in definition.forms}}
