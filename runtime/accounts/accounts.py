"""Users as administrators manage them: list, change, deactivate, and hand records over (离职交接)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, select, update

from engine.errors import BadQuery, NotFound
from runtime.accounts.org import set_user_departments
from runtime.accounts.users import set_password
from runtime.db.tables import department_members, records, role_members, users


def user_row(conn: Connection, username: str) -> Row[Any]:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"用户 {username} 不存在", f"no user {username!r}")
    return row


def user_json(conn: Connection, row: Row[Any]) -> dict[str, Any]:
    """A user as the API shows it: never the password hash."""
    depts = conn.execute(select(department_members.c.department, department_members.c.is_primary)
                         .where(department_members.c.user_id == row.id)
                         .order_by(department_members.c.is_primary.desc(), department_members.c.department)).all()
    roles = conn.execute(select(role_members.c.app, role_members.c.role).where(role_members.c.user_id == row.id)
                         .order_by(role_members.c.app, role_members.c.role)).all()
    return {"username": row.username, "display_name": row.display_name, "active": row.active,
            "is_admin": row.is_admin, "departments": [d.department for d in depts],
            "primary_department": next((d.department for d in depts if d.is_primary), None),
            "roles": [f"{r.app}:{r.role}" for r in roles]}


def list_users(conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(select(users).order_by(users.c.username)))


def primary_department(conn: Connection, username: str) -> str | None:
    return conn.scalar(select(department_members.c.department).join(users, users.c.id == department_members.c.user_id)
                       .where(users.c.username == username, department_members.c.is_primary.is_(True)))


def update_user(conn: Connection, username: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a UserPatch's fields; returns what changed (for the audit log), never the password."""
    row = user_row(conn, username)
    done: dict[str, Any] = {}
    values = {k: changes[k] for k in ("display_name", "active", "is_admin") if changes.get(k) is not None}
    if values:
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
        done.update(values)
    if changes.get("password") is not None:
        set_password(conn, username, changes["password"])
        done["password"] = "changed"
    if changes.get("departments") is not None:
        set_user_departments(conn, username, changes["departments"], changes.get("primary_department"))
        done["departments"] = changes["departments"]
    elif changes.get("primary_department") is not None:
        current = list(conn.scalars(select(department_members.c.department)
                                    .where(department_members.c.user_id == row.id)))
        set_user_departments(conn, username, current, changes["primary_department"])
        done["primary_department"] = changes["primary_department"]
    if changes.get("handover_to") is not None:
        done["handed_over"] = hand_over(conn, username, changes["handover_to"])
    return done


def hand_over(conn: Connection, from_user: str, to_user: str, field: str = "handover_to") -> int:
    """Give every record `from_user` owns (deleted ones too) to `to_user`, kept by their primary department;
    a refusal names `field` (where the caller's input gave `to_user`)."""
    if from_user == to_user:
        raise BadQuery("不能交接给自己", "cannot hand records over to the same user", field=field)
    target = user_row(conn, to_user)
    if not target.active:
        raise BadQuery(f"用户 {to_user} 已停用", f"user {to_user!r} is deactivated", field=field)
    count = conn.scalar(select(func.count()).select_from(records).where(records.c.owner == from_user)) or 0
    conn.execute(update(records).where(records.c.owner == from_user).values(
        owner=to_user, department=primary_department(conn, to_user)))
    return int(count)


__all__ = ["hand_over", "list_users", "primary_department", "update_user", "user_json", "user_row"]
