"""The organisation: departments, users (deactivation and 离职交接 included) and app role members.

Administrators manage all of it; an app's role members can also be set by a user with `manage` on the
app ("*"). Every change is written to the audit log in the same transaction."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from engine.errors import BadQuery
from runtime import audit
from runtime.accounts import accounts, logins, org
from runtime.accounts.users import create_user
from runtime.api.deps import DB, CurrentUser, change_for
from runtime.api.guard import NO_RECORDS, Gatekeeper, require_admin
from runtime.apps import definitions
from runtime.schemas.org import DepartmentIn, DepartmentPatch, RoleMembersIn, UserIn, UserPatch

router = APIRouter(prefix="/api/v1", tags=["organisation"], dependencies=[NO_RECORDS])


def _department_json(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "parent": row.parent, "head": row.head}


@router.get("/departments")
def list_departments(db: DB, user: CurrentUser) -> Any:
    """The department tree as a flat list (parent keys); every signed-in user may read it."""
    with db.read() as conn:
        snapshot = org.load_org(conn)
    return {"items": [{"key": d.key, "name": d.name, "parent": d.parent, "head": d.head}
                      for d in sorted(snapshot.departments.values(), key=lambda d: d.key)]}


@router.post("/departments", status_code=201)
def create_department(body: DepartmentIn, request: Request, db: DB, user: CurrentUser) -> Any:
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        row = org.create_department(conn, body.key, body.name, change.now, parent=body.parent, head=body.head)
        audit.write(conn, "department.create", user, change.now, detail=_department_json(row))
    return _department_json(row)


@router.patch("/departments/{key}")
def update_department(key: str, body: DepartmentPatch, request: Request, db: DB, user: CurrentUser) -> Any:
    require_admin(user)
    change = change_for(request, user)
    values = body.model_dump(exclude_unset=True)
    with db.write() as conn:
        row = org.update_department(conn, key, **values)
        audit.write(conn, "department.update", user, change.now, detail={"key": key, **values})
    return _department_json(row)


@router.get("/users")
def list_users(db: DB, user: CurrentUser) -> Any:
    require_admin(user)
    with db.read() as conn:
        return {"items": [accounts.user_json(conn, r) for r in accounts.list_users(conn)]}


@router.post("/users", status_code=201)
def create_user_route(body: UserIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """A new user in their departments (the primary one keeps the records they create)."""
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        row = create_user(conn, body.username, body.password, change.now, display_name=body.display_name,
                          is_admin=body.is_admin)
        org.set_user_departments(conn, body.username, body.departments, body.primary_department)
        shown = accounts.user_json(conn, row)
        audit.write(conn, "user.create", user, change.now, detail={k: v for k, v in shown.items() if k != "roles"})
    return shown


@router.get("/users/{username}")
def get_user(username: str, db: DB, user: CurrentUser) -> Any:
    if username != user.username:
        require_admin(user)
    with db.read() as conn:
        return accounts.user_json(conn, accounts.user_row(conn, username))


@router.patch("/users/{username}")
def update_user(username: str, body: UserPatch, request: Request, db: DB, user: CurrentUser) -> Any:
    """Change a user; `{"active": false}` deactivates (their tokens stop working at once) and
    `handover_to` gives all their records to another user (离职交接)."""
    require_admin(user)
    if username == user.username and body.active is False:
        raise BadQuery("不能停用自己", "you cannot deactivate yourself", field="active")
    change = change_for(request, user)
    with db.write() as conn:
        done = accounts.update_user(conn, username, body.model_dump(exclude_unset=True))
        audit.write(conn, "user.update", user, change.now, detail={"username": username, **done})
        shown = accounts.user_json(conn, accounts.user_row(conn, username))
    return shown | {"handed_over": done.get("handed_over", 0)}


@router.post("/users/{username}/unlock")
def unlock_user(username: str, request: Request, db: DB, user: CurrentUser) -> Any:
    """Clear the user's login throttling: the counts and locks of this name at every address and as a whole
    (an address's own count stays: it is about other names too). Administrators only; audited."""
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        accounts.user_row(conn, username)  # 404 for a name that is no user
        cleared = logins.unlock(conn, username)
        audit.write(conn, "user.unlock", user, change.now, detail={"username": username, "cleared": cleared})
    return {"username": username, "cleared": cleared}


@router.get("/apps/{app}/roles")
def list_roles(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The app's published roles and their members: `members` (every user who holds the role, through a
    department too), `users` and `departments` as set (administrators and the app's managers)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        definition, _ = definitions.current(conn, app)
        snapshot = org.load_org(conn, app)
        membership = org.role_membership(conn, app)
    empty = {"users": [], "departments": []}
    return {"items": [{"key": r.key, "name": r.name, "name_en": r.name_en,
                       "members": sorted(snapshot.role_members(r.key)), **membership.get(r.key, empty)}
                      for r in definition.roles]}


@router.put("/apps/{app}/roles/{role}/members")
def set_role_members(app: str, role: str, body: RoleMembersIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Replace the members of one role of one app: `{"users": [usernames], "departments": [keys]}` (a
    department's members hold the role, as they are when their rights are checked)."""
    change = change_for(request, guard.actor)
    with db.write() as conn:
        guard.require_manage(conn, app)
        definition, _ = definitions.current(conn, app)
        if role not in definition.role_keys:
            raise BadQuery(f"应用 {app} 没有角色 {role}", f"app {app!r} has no role {role!r}", field="role")
        empty: dict[str, list[str]] = {"users": [], "departments": []}
        before = org.role_membership(conn, app).get(role, empty)
        org.set_role_members(conn, app, role, body.users)
        if body.departments is not None:
            org.set_role_departments(conn, app, role, body.departments)
        after = org.role_membership(conn, app).get(role, empty)
        detail = {"role": role, "before": before["users"], "after": after["users"]}
        if body.departments is not None:
            detail |= {"departments_before": before["departments"], "departments_after": after["departments"]}
        audit.write(conn, "role.members", guard.actor, change.now, app=app, detail=detail)
    return {"app": app, "role": role, **after}
