"""The people directory an app's builders and approvers search (the people picker): active users by
username, display name or its pinyin (runtime/accounts/user_search.py), with their departments; departments by key or name; and the display names
shown wherever a person is named (a user without one is shown by their username)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, or_, select

from engine.org import Department, Org
from runtime.accounts import user_search
from runtime.db.tables import department_members, departments, users

MAX_SHOWN = 50
"""A picker shows a page of matches, never the whole directory."""


def _like(text: str) -> str:
    """A case-insensitive substring pattern; the user's % and _ match themselves."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def shown_name(username: str, display_name: str | None) -> str:
    return (display_name or "").strip() or username


def search(
    conn: Connection, q: str = "", *, department: str | None = None, usernames: list[str] | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Active users whose username or display name (or its pinyin) holds `q` (members of `department` and the departments
    below it when given; exactly `usernames` when given), by username, each with their departments
    (primary first): id, username, display_name, departments [{key, name, primary}]."""
    query = select(users.c.id, users.c.username, users.c.display_name).where(users.c.active.is_(True))
    found = user_search.matching(q, contacts=False)  # indexed; the display name's pinyin too (张伟 by zw, zhangwei)
    if found is not None:
        query = query.where(found)
    if department is not None:
        below = _subtree(conn, department)
        query = query.where(
            users.c.id.in_(select(department_members.c.user_id).where(department_members.c.department.in_(below)))
        )
    if usernames is not None:
        query = query.where(users.c.username.in_(usernames))
    rows = list(conn.execute(query.order_by(users.c.username).limit(min(limit, MAX_SHOWN))))
    of = _departments_of(conn, [r.id for r in rows])
    return [
        {
            "id": r.id,
            "username": r.username,
            "display_name": shown_name(r.username, r.display_name),
            "departments": of.get(r.id, []),
        }
        for r in rows
    ]


def _subtree(conn: Connection, key: str) -> list[str]:
    rows = conn.execute(select(departments.c.key, departments.c.name, departments.c.parent, departments.c.head))
    return sorted(Org({r.key: Department(r.key, r.name, r.parent, r.head) for r in rows}).subtree(key))


def _departments_of(conn: Connection, user_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not user_ids:
        return {}
    rows = conn.execute(
        select(department_members.c.user_id, department_members.c.is_primary, departments.c.key, departments.c.name)
        .join(departments, departments.c.key == department_members.c.department)
        .where(department_members.c.user_id.in_(user_ids))
        .order_by(department_members.c.is_primary.desc(), departments.c.key)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(r.user_id, []).append({"key": r.key, "name": r.name, "primary": bool(r.is_primary)})
    return found


def search_departments(conn: Connection, q: str = "", *, limit: int = 20) -> list[dict[str, Any]]:
    """Departments whose key or name holds `q`, by name: key, name, parent, head (and the head's name)."""
    query = select(departments.c.key, departments.c.name, departments.c.parent, departments.c.head)
    if q.strip():
        pattern = _like(q.strip())
        query = query.where(
            or_(
                func.lower(departments.c.key).like(pattern, escape="\\"),
                func.lower(departments.c.name).like(pattern, escape="\\"),
            )
        )
    rows = list(conn.execute(query.order_by(departments.c.name, departments.c.key).limit(min(limit, MAX_SHOWN))))
    heads = display_names(conn, [r.head for r in rows if r.head])
    return [
        {
            "key": r.key,
            "name": r.name,
            "parent": r.parent,
            "head": r.head,
            "head_name": heads.get(r.head) if r.head else None,
        }
        for r in rows
    ]


def known_department(conn: Connection, key: str) -> bool:
    return conn.scalar(select(departments.c.key).where(departments.c.key == key)) is not None


def display_names(conn: Connection, usernames: Iterable[str]) -> dict[str, str]:
    """Username → the name to show, for the ones that exist (one query, any number of names)."""
    wanted = sorted({u for u in usernames if u})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # bounded IN lists
        rows = conn.execute(
            select(users.c.username, users.c.display_name).where(users.c.username.in_(wanted[start : start + 500]))
        )
        found |= {r.username: shown_name(r.username, r.display_name) for r in rows}
    return found


__all__ = ["search", "search_departments", "known_department", "display_names", "shown_name", "MAX_SHOWN"]
