"""Who can be picked in a user field: the active users, by username."""

from __future__ import annotations

from sqlalchemy import Connection, select

from runtime.storage.tables import users


def active_users(conn: Connection, limit: int = 500) -> list[tuple[str, str]]:
    """(username, display name) of active users, at most `limit` (a picker, not a directory export)."""
    rows = conn.execute(select(users.c.username, users.c.display_name).where(users.c.active.is_(True))
                        .order_by(users.c.username).limit(limit))
    return [(r.username, r.display_name) for r in rows]
