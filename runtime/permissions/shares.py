"""Records shared with named users or departments (协作人): they may read the record, whatever their roles.

Sharing is one of the extra read grants (runtime.permissions.grants), the same way flows let approvers
read what they must approve. Only someone who may update a record can change who it is shared with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import BadQuery
from runtime.db.tables import department_members, departments, record_shares, records, users
from runtime.records.context import Actor, FormRef

INLINE_IDS = 1000


def shared_with_me(conn: Connection, actor: Actor, ref: FormRef) -> ColumnElement[bool] | None:
    """Records of the form shared with the user or one of their departments; None when there are none,
    so the lists of the many users without shares keep their plain, index-friendly scope."""
    if actor.username is None:
        return None
    mine = select(department_members.c.department).join(users, users.c.id == department_members.c.user_id) \
        .where(users.c.username == actor.username).scalar_subquery()
    shared = select(record_shares.c.record_id).join(records, records.c.id == record_shares.c.record_id).where(
        records.c.app == ref.app_key, records.c.form == ref.form.key,
        or_((record_shares.c.kind == "user") & (record_shares.c.who == actor.username),
            (record_shares.c.kind == "department") & record_shares.c.who.in_(mine)))
    ids = list(conn.scalars(shared.limit(INLINE_IDS + 1)))
    if not ids:
        return None
    return records.c.id.in_(ids if len(ids) <= INLINE_IDS else shared)


def shares_of(conn: Connection, record_id: int) -> dict[str, list[str]]:
    rows = conn.execute(select(record_shares.c.kind, record_shares.c.who)
                        .where(record_shares.c.record_id == record_id).order_by(record_shares.c.who))
    found: dict[str, list[str]] = {"users": [], "departments": []}
    for r in rows:
        found["users" if r.kind == "user" else "departments"].append(r.who)
    return found


def set_shares(conn: Connection, record_id: int, usernames: Sequence[str], department_keys: Sequence[str]) -> Any:
    """Replace who the record is shared with; unknown users or departments are a BadQuery naming them."""
    known_users = set(conn.scalars(select(users.c.username).where(users.c.username.in_(list(usernames)))))
    known_depts = set(conn.scalars(select(departments.c.key).where(departments.c.key.in_(list(department_keys)))))
    for name in usernames:
        if name not in known_users:
            raise BadQuery(f"用户 {name} 不存在", f"no user {name!r}", field="users")
    for key in department_keys:
        if key not in known_depts:
            raise BadQuery(f"部门 {key} 不存在", f"no department {key!r}", field="departments")
    conn.execute(delete(record_shares).where(record_shares.c.record_id == record_id))
    rows = [{"record_id": record_id, "kind": "user", "who": u} for u in dict.fromkeys(usernames)]
    rows += [{"record_id": record_id, "kind": "department", "who": d} for d in dict.fromkeys(department_keys)]
    if rows:
        conn.execute(insert(record_shares), rows)
    return shares_of(conn, record_id)


__all__ = ["set_shares", "shared_with_me", "shares_of"]
