"""In-app messages (站内消息): written in the transaction of the flow step that sends them; read, counted and
marked read by their user (the 消息 page and its count in the top bar)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from engine.errors import NotFound
from runtime.db.tables import messages, records


def send(conn: Connection, users: Iterable[str], title: str, body: str, now: datetime, *, app: str | None = None,
         record_id: int | None = None, instance_id: int | None = None, step: str | None = None) -> None:
    rows = [{"username": u, "title": title[:200], "body": body[:4000], "app": app, "record_id": record_id,
             "instance_id": instance_id, "step": step, "created_at": now} for u in dict.fromkeys(users)]
    if rows:
        conn.execute(insert(messages), rows)


def step_messages(conn: Connection, username: str, instance_ids: Iterable[int]) -> dict[tuple[int, str, datetime],
                                                                                    dict[str, str]]:
    """The in-app messages flow steps of these instances sent this user, `{title, body}` by (instance, step
    path, when sent): what a cc said, beside the run-log line that names the step and the moment."""
    wanted = sorted(set(instance_ids))
    if not wanted:
        return {}
    rows = conn.execute(select(messages.c.instance_id, messages.c.step, messages.c.created_at, messages.c.title,
                               messages.c.body).where(messages.c.username == username,
                                                      messages.c.instance_id.in_(wanted), messages.c.step.is_not(None)))
    return {(r.instance_id, r.step, r.created_at): {"title": r.title, "body": r.body} for r in rows}


def inbox(conn: Connection, username: str, *, unread: bool = False, limit: int = 50,
          before: int | None = None) -> list[Row[Any]]:
    """A user's messages, newest first (keyset on id), each with the form of the record it concerns."""
    form = select(records.c.form).where(records.c.id == messages.c.record_id).scalar_subquery().label("form")
    query = (select(messages, form).where(messages.c.username == username).order_by(messages.c.id.desc())
             .limit(limit))
    if unread:
        query = query.where(messages.c.read_at.is_(None))
    if before is not None:
        query = query.where(messages.c.id < before)
    return list(conn.execute(query))


def mark_read(conn: Connection, username: str, message_id: int, now: datetime) -> Row[Any]:
    row = conn.execute(select(messages).where(messages.c.id == message_id, messages.c.username == username)).first()
    if row is None:
        raise NotFound(f"没有消息 {message_id}", f"no message {message_id}")
    conn.execute(update(messages).where(messages.c.id == message_id, messages.c.read_at.is_(None)).values(read_at=now))
    return conn.execute(select(messages).where(messages.c.id == message_id)).one()


def unread_count(conn: Connection, username: str) -> int:
    """How many of the user's messages are unread (the top bar's 消息 count)."""
    return int(conn.scalar(select(func.count()).select_from(messages).where(
        messages.c.username == username, messages.c.read_at.is_(None))) or 0)


def mark_all_read(conn: Connection, username: str, now: datetime, *, up_to: int | None = None) -> int:
    """Mark the user's unread messages read (those up to id `up_to` when given: what the reader saw);
    how many were."""
    query = update(messages).where(messages.c.username == username, messages.c.read_at.is_(None))
    if up_to is not None:
        query = query.where(messages.c.id <= up_to)
    return int(conn.execute(query.values(read_at=now)).rowcount or 0)


__all__ = ["send", "inbox", "mark_read", "unread_count", "mark_all_read", "step_messages"]
