"""Departments, department members and app role members; load_org gives the engines their snapshot."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import AlreadyExists, BadQuery, NotFound
from engine.keys import KEY_RE
from engine.org import Department, Org
from runtime.db.tables import department_members, departments, role_departments, role_members, users


def _departments(conn: Connection) -> dict[str, Department]:
    rows = conn.execute(select(departments.c.key, departments.c.name, departments.c.parent, departments.c.head))
    return {r.key: Department(r.key, r.name, r.parent, r.head) for r in rows}


def _user_id(conn: Connection, username: str) -> int:
    user_id = conn.scalar(select(users.c.id).where(users.c.username == username))
    if user_id is None:
        raise NotFound(f"用户 {username} 不存在", f"no user {username!r}", field="username")
    return int(user_id)


def _check_department(conn: Connection, key: str, parent: str | None, head: str | None) -> None:
    known = _departments(conn)
    if parent is not None and parent not in known:
        raise BadQuery(f"上级部门 {parent} 不存在", f"parent department {parent!r} does not exist", field="parent")
    if parent is not None and key in Org(known).ancestors(parent):
        raise BadQuery("部门不能成为自己的下级", "a department cannot be placed under itself", field="parent")
    if head is not None:
        _user_id(conn, head)


def list_departments(conn: Connection) -> list[Row[Any]]:
    """Every department, deactivated ones too, by key."""
    return list(conn.execute(select(departments).order_by(departments.c.key)))


def create_department(conn: Connection, key: str, name: str, now: datetime, *, parent: str | None = None,
                      head: str | None = None) -> Row[Any]:
    """A new department under `parent` (None: a top-level one); AlreadyExists if the key is taken."""
    if not KEY_RE.fullmatch(key):
        raise BadQuery(f"部门编码 {key} 无效", f"invalid department key {key!r}", field="key")
    _check_department(conn, key, parent, head)
    try:
        with conn.begin_nested():
            conn.execute(insert(departments).values(key=key, name=name, parent=parent, head=head, created_at=now))
    except IntegrityError:
        raise AlreadyExists(f"部门 {key} 已存在", f"department {key!r} exists already") from None
    return conn.execute(select(departments).where(departments.c.key == key)).one()


def update_department(conn: Connection, key: str, **changes: Any) -> Row[Any]:
    """Change name, parent or head; moving a department under its own subtree is refused."""
    row = conn.execute(select(departments).where(departments.c.key == key)).first()
    if row is None:
        raise NotFound(f"部门 {key} 不存在", f"no department {key!r}")
    values = {k: v for k, v in changes.items() if k in ("name", "parent", "head", "active")}
    if values.get("active") is None:
        values.pop("active", None)
    _check_department(conn, key, values.get("parent", row.parent), values.get("head", row.head))
    if values.get("active") is False and conn.scalar(
            select(departments.c.key).where(departments.c.parent == key, departments.c.active.is_(True)).limit(1)):
        raise BadQuery(f"部门 {row.name} 还有启用的下级部门，请先停用或移走它们",
                       f"department {key!r} has active sub-departments: deactivate or move them first", field="active")
    conn.execute(update(departments).where(departments.c.key == key).values(**values))
    return conn.execute(select(departments).where(departments.c.key == key)).one()


def set_user_departments(conn: Connection, username: str, keys: Sequence[str], primary: str | None = None) -> None:
    """Replace a user's departments; the primary one defaults to the first listed."""
    user_id = _user_id(conn, username)
    known = _departments(conn)
    inactive = set(conn.scalars(select(departments.c.key).where(departments.c.active.is_(False))))
    held = set(conn.scalars(select(department_members.c.department).where(department_members.c.user_id == user_id)))
    for key in keys:
        if key not in known:
            raise BadQuery(f"部门 {key} 不存在", f"department {key!r} does not exist", field="departments")
        if key in inactive and key not in held:  # kept by who is in it already; nobody new joins
            raise BadQuery(f"部门 {key} 已停用", f"department {key!r} is deactivated", field="departments")
    if primary is not None and primary not in keys:
        raise BadQuery("主部门必须是所属部门之一", "the primary department must be one of the departments",
                       field="primary_department")
    primary = primary or (keys[0] if keys else None)
    conn.execute(delete(department_members).where(department_members.c.user_id == user_id))
    if keys:
        conn.execute(insert(department_members), [
            {"user_id": user_id, "department": k, "is_primary": k == primary} for k in dict.fromkeys(keys)])


def set_role_members(conn: Connection, app: str, role: str, usernames: Sequence[str]) -> None:
    """Replace the members of one role of one app."""
    ids = [_user_id(conn, name) for name in dict.fromkeys(usernames)]
    conn.execute(delete(role_members).where(role_members.c.app == app, role_members.c.role == role))
    if ids:
        conn.execute(insert(role_members), [{"app": app, "role": role, "user_id": i} for i in ids])


def set_role_departments(conn: Connection, app: str, role: str, keys: Sequence[str],
                         with_subdepartments: Sequence[str] = ()) -> None:
    """Replace the departments that are members of one role of one app (their members hold the role); those
    also in `with_subdepartments` (含下级部门) give it to the members of every department below them too."""
    known = _departments(conn)
    for key in keys:
        if key not in known:
            raise BadQuery(f"部门 {key} 不存在", f"department {key!r} does not exist", field="departments")
    for key in with_subdepartments:
        if key not in keys:
            raise BadQuery(f"含下级部门的 {key} 不是该角色的成员部门", f"{key!r} in with_subdepartments is not "
                           "one of the departments", field="with_subdepartments")
    conn.execute(delete(role_departments).where(role_departments.c.app == app, role_departments.c.role == role))
    if keys:
        below = set(with_subdepartments)
        conn.execute(insert(role_departments), [{"app": app, "role": role, "department": k,
                                                 "with_subdepartments": k in below} for k in dict.fromkeys(keys)])


def drop_members_of_removed_roles(conn: Connection, app: str, kept: Iterable[str]) -> None:
    """Forget the members of the app's roles that are not in `kept` (a published version removed them), so a
    role created again under the same key starts without members."""
    keep = sorted(set(kept))
    conn.execute(delete(role_members).where(role_members.c.app == app, role_members.c.role.not_in(keep)))
    conn.execute(delete(role_departments).where(role_departments.c.app == app, role_departments.c.role.not_in(keep)))


def role_membership(conn: Connection, app: str) -> dict[str, dict[str, list[str]]]:
    """Each role's members as set: `{role: {"users": [...], "departments": [...], "with_subdepartments":
    [...]}}` (users named directly, whole departments, those of them counted with their sub-departments),
    sorted."""
    found: dict[str, dict[str, list[str]]] = {}

    def entry(role: str) -> dict[str, list[str]]:
        return found.setdefault(role, {"users": [], "departments": [], "with_subdepartments": []})

    for r in conn.execute(select(role_members.c.role, users.c.username).join(users, users.c.id == role_members.c.user_id)
                          .where(role_members.c.app == app).order_by(users.c.username)):
        entry(r.role)["users"].append(r.username)
    for r in conn.execute(select(role_departments).where(role_departments.c.app == app)
                          .order_by(role_departments.c.department)):
        entry(r.role)["departments"].append(r.department)
        if r.with_subdepartments:
            entry(r.role)["with_subdepartments"].append(r.department)
    return found


def department_grants(conn: Connection, app: str, tree: Org) -> dict[str, set[str]]:
    """Role → every department whose members hold it through a department member: the department itself,
    and with 含下级部门 each one below it in `tree` (the tree as it is now, so a moved department follows)."""
    found: dict[str, set[str]] = {}
    for r in conn.execute(select(role_departments).where(role_departments.c.app == app)):
        found.setdefault(r.role, set()).update(tree.subtree(r.department) if r.with_subdepartments
                                               else {r.department})
    return found


def load_org(conn: Connection, app: str | None = None) -> Org:
    """The organisation snapshot, with the role members of `app` (no roles when app is None)."""
    memberships: dict[str, list[str]] = {}
    rows = conn.execute(
        select(users.c.username, department_members.c.department, department_members.c.is_primary)
        .join(department_members, department_members.c.user_id == users.c.id)
        .order_by(users.c.username, department_members.c.is_primary.desc(), department_members.c.department))
    for r in rows:
        memberships.setdefault(r.username, []).append(r.department)
    roles: dict[str, set[str]] = {}
    if app is not None:
        for r in conn.execute(select(role_members.c.role, users.c.username)
                              .join(users, users.c.id == role_members.c.user_id)
                              .where(role_members.c.app == app, users.c.active.is_(True))):
            roles.setdefault(r.role, set()).add(r.username)
    tree = _departments(conn)
    if app is not None:
        active = set(conn.scalars(select(users.c.username).where(users.c.active.is_(True))))
        for role, keys in department_grants(conn, app, Org(tree)).items():  # a department's members
            roles.setdefault(role, set()).update(
                u for u, ks in memberships.items() if u in active and keys.intersection(ks))
    return Org(tree, {u: tuple(k) for u, k in memberships.items()},
               {role: frozenset(names) for role, names in roles.items()})


__all__ = ["list_departments", "create_department", "update_department", "set_user_departments", "set_role_members",
           "set_role_departments", "drop_members_of_removed_roles", "role_membership", "department_grants",
           "load_org"]
