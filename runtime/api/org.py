"""The organisation: departments, users (deactivation and 离职交接 included) and app role members.

Administrators manage all of it; an app's role members can also be set by a user with `manage` on the
app ("*"). Every change is written to the audit log in the same transaction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from engine.errors import BadQuery, Unauthorized
from runtime import audit
from runtime.accounts import accounts, logins, org
from runtime.accounts.sessions import end_all_sessions, live_sessions
from runtime.accounts.tokens import list_api_tokens
from runtime.accounts.users import authenticate, create_user, set_password
from runtime.api.deps import DB, CurrentUser, Now, change_for
from runtime.api.guard import NO_RECORDS, Gatekeeper, require_admin
from runtime.api.tokens import moment, token_json
from runtime.apps import definitions
from runtime.records.context import Actor
from runtime.schemas.org import (
    DepartmentIn,
    DepartmentPatch,
    PasswordChange,
    PasswordReset,
    RoleMembersIn,
    UserIn,
    UserPatch,
)

router = APIRouter(prefix="/api/v1", tags=["organisation"], dependencies=[NO_RECORDS])


def _department_json(row: Any) -> dict[str, Any]:
    return {"key": row.key, "name": row.name, "parent": row.parent, "head": row.head, "active": row.active}


@router.get("/departments")
def list_departments(db: DB, user: CurrentUser) -> Any:
    """The department tree as a flat list (parent keys), deactivated ones with `"active": false`; every
    signed-in user may read it."""
    with db.read() as conn:
        return {"items": [_department_json(r) for r in org.list_departments(conn)]}


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
def list_users(db: DB, user: CurrentUser, q: Annotated[str | None, Query(max_length=100)] = None,
               after: Annotated[str | None, Query(max_length=64)] = None, active: bool | None = None,
               limit: Annotated[int, Query(ge=1, le=accounts.MAX_PAGE)] = 50) -> Any:
    """A page of users by username: `q` searches name, display name, mobile and e-mail; `after` is the
    `next_cursor` of the page before (null on the last page)."""
    require_admin(user)
    with db.read() as conn:
        items, next_cursor = accounts.users_page(conn, q, after, limit, active)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/users", status_code=201)
def create_user_route(body: UserIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """A new user in their departments (the primary one keeps the records they create)."""
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        row = create_user(conn, body.username, body.password, change.now, display_name=body.display_name,
                          is_admin=body.is_admin)
        org.set_user_departments(conn, body.username, body.departments, body.primary_department)
        accounts.update_user(conn, body.username, {"mobile": body.mobile, "email": body.email,
                                                   "must_change_password": body.must_change_password})
        row = accounts.user_row(conn, body.username)
        shown = accounts.user_json(conn, row)
        audit.write(conn, "user.create", user, change.now, detail={k: v for k, v in shown.items() if k != "roles"})
    return shown


@router.get("/users/{username}")
def get_user(username: str, db: DB, user: CurrentUser, now: Now) -> Any:
    """A user; for administrators also `login_holds`, what login throttling holds against the name (logins.holds)."""
    if username != user.username:
        require_admin(user)
    with db.read() as conn:
        person = accounts.user_json(conn, accounts.user_row(conn, username))
        return person | ({"login_holds": logins.holds(conn, username, now)} if user.is_admin else {})


@router.patch("/users/{username}")
def update_user(username: str, body: UserPatch, request: Request, db: DB, user: CurrentUser) -> Any:
    """Change a user; `{"active": false}` deactivates (their tokens stop working at once) and
    `handover_to` gives all their records to another user (离职交接)."""
    require_admin(user)
    if username == user.username and body.active is False:
        raise BadQuery("不能停用自己", "you cannot deactivate yourself", field="active")
    if username == user.username and body.is_admin is False:  # the console's own last way back in
        raise BadQuery("不能取消自己的管理员身份", "you cannot remove your own administrator right", field="is_admin")
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


@router.post("/users/{username}/password")
def reset_password(username: str, body: PasswordReset, request: Request, db: DB, user: CurrentUser) -> Any:
    """Set the user's password, or a new random one: `{"password"}` is in this answer only when generated.
    With `must_change` (the default) they choose their own at their next login."""
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        generated = accounts.reset_password(conn, username, body.password, body.must_change)
        audit.write(conn, "user.password_reset", user, change.now, detail={
            "username": username, "generated": generated is not None, "must_change": body.must_change})
    return {"username": username, "must_change_password": body.must_change} | (
        {"password": generated} if generated else {})


@router.post("/me/password")
def change_own_password(body: PasswordChange, request: Request, db: DB, user: CurrentUser) -> Any:
    """The signed-in user changes their password (needs the current one); clears a forced change."""
    if user.via == "api":
        raise BadQuery("API 令牌不能修改密码，请登录后操作", "an API token cannot change the password; sign in",
                       field="current")
    change = change_for(request, user)
    with db.write() as conn:
        try:
            authenticate(conn, user.username or "", body.current)
        except Unauthorized:
            raise BadQuery("当前密码不正确", "the current password is wrong", field="current") from None
        if body.new == body.current:
            raise BadQuery("新密码不能与当前密码相同", "the new password must differ from the current one", field="new")
        try:
            set_password(conn, user.username or "", body.new)
        except BadQuery as error:
            raise BadQuery(error.message, error.message_en, field="new") from None
        accounts.update_user(conn, user.username or "", {"must_change_password": False})
        audit.write(conn, "user.password_change", user, change.now, detail={"username": user.username})
    return {"username": user.username, "must_change_password": False}


def _self_or_admin(user: Actor, username: str) -> None:
    if username != user.username:
        require_admin(user)


@router.get("/users/{username}/logins")
def user_logins(username: str, db: DB, user: CurrentUser,
                limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT)] = 20) -> Any:
    """The user's latest login attempts: successes, failures, locks (themselves or administrators)."""
    _self_or_admin(user, username)
    with db.read() as conn:
        return {"items": [audit.entry_json(r) for r in audit.logins_of(conn, username, limit)]}


@router.get("/users/{username}/tokens")
def user_tokens(username: str, db: DB, user: CurrentUser) -> Any:
    """The user's API tokens, without their text (themselves or administrators)."""
    _self_or_admin(user, username)
    with db.read() as conn:
        rows = list_api_tokens(conn, accounts.user_row(conn, username).id)
    return {"items": [token_json(r) for r in rows]}


@router.get("/users/{username}/sessions")
def user_sessions(username: str, request: Request, db: DB, user: CurrentUser) -> Any:
    """The user's live browser sessions and login tokens (themselves or administrators)."""
    _self_or_admin(user, username)
    change = change_for(request, user)
    with db.read() as conn:
        rows = live_sessions(conn, accounts.user_row(conn, username).id, change.now)
    return {"items": [{"id": r.id, "kind": r.kind, "created_at": moment(r.created_at),
                       "expires_at": moment(r.expires_at)} for r in rows]}


@router.delete("/users/{username}/sessions")
def end_sessions(username: str, request: Request, db: DB, user: CurrentUser) -> Any:
    """全部下线: end every session and login token of the user at once (API tokens stay; revoke them apart)."""
    _self_or_admin(user, username)
    change = change_for(request, user)
    with db.write() as conn:
        ended = end_all_sessions(conn, accounts.user_row(conn, username).id, change.now)
        audit.write(conn, "user.sessions_ended", user, change.now, detail={"username": username, "ended": ended})
    return {"username": username, "ended": ended}


@router.get("/apps/{app}/roles")
def list_roles(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The app's published roles and their members: `members` (every user who holds the role, through a
    department too), `users` and `departments` as set (administrators and the app's managers)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        definition, _ = definitions.current(conn, app)
        snapshot = org.load_org(conn, app)
        membership = org.role_membership(conn, app)
    empty = {"users": [], "departments": [], "with_subdepartments": []}
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
        empty: dict[str, list[str]] = {"users": [], "departments": [], "with_subdepartments": []}
        before = org.role_membership(conn, app).get(role, empty)
        org.set_role_members(conn, app, role, body.users)
        if body.departments is not None:
            org.set_role_departments(conn, app, role, body.departments, body.with_subdepartments)
        elif body.with_subdepartments:
            raise BadQuery("含下级部门需要同时给出部门", "with_subdepartments needs departments",
                           field="with_subdepartments")
        after = org.role_membership(conn, app).get(role, empty)
        detail = {"role": role, "before": before["users"], "after": after["users"]}
        if body.departments is not None:
            detail |= {"departments_before": before["departments"], "departments_after": after["departments"],
                       "with_subdepartments_before": before["with_subdepartments"],
                       "with_subdepartments_after": after["with_subdepartments"]}
        audit.write(conn, "role.members", guard.actor, change.now, app=app, detail=detail)
    return {"app": app, "role": role, **after}
