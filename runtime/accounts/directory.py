"""Who and what can be picked in user and department fields: active users, departments."""

from __future__ import annotations

from sqlalchemy import Connection, select

from runtime.db.tables import departments, users


def active_users(conn: Connection, limit: int = 500) -> list[tuple[str, str]]:
    """(username, display name) of active users, at most `limit` (a picker, not a directory export)."""
    rows = conn.execute(select(users.c.username, users.c.display_name).where(users.c.active.is_(True))
                        .order_by(users.c.username).limit(limit))
    return [(r.username, r.display_name) for r in rows]


def department_choices(conn: Connection) -> list[tuple[str, str]]:
    """(key, name) of every department, by name."""
    rows = conn.execute(select(departments.c.key, departments.c.name).order_by(departments.c.name, departments.c.key))
    return [(r.key, r.name) for r in rows]
