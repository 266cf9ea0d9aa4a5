"""In-app messages (站内消息): written in the transaction of the flow step that sends them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from engine.errors import NotFound
from runtime.db.tables import messages


def send(conn: Connection, users: Iterable[str], title: str, body: str, now: datetime, *, app: str | None = None,
         record_id: int | None = None, instance_id: int | None = None) -> None:
    rows = [{"username": u, "title": title[:200], "body": body[:4000], "app": app, "record_id": record_id,
             "instance_id": instance_id, "created_at": now} for u in dict.fromkeys(users)]
    if rows:
        conn.execute(insert(messages), rows)


def inbox(conn: Connection, username: str, *, unread: bool = False, limit: int = 50,
          before: int | None = None) -> list[Row[Any]]:
    """A user's messages, newest first (keyset on id)."""
    query = select(messages).where(messages.c.username == username).order_by(messages.c.id.desc()).limit(limit)
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


__all__ = ["send", "inbox", "mark_read"]
