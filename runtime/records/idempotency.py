"""Idempotency keys: a retried POST with the same key gets the first answer and creates nothing new."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.errors import Conflict
from runtime.db.tables import idempotency_keys as t

PENDING = 0


def request_digest(method: str, path: str, body: Any) -> str:
    return hashlib.sha256(json.dumps([method, path, body], sort_keys=True, default=str).encode()).hexdigest()


def claim(conn: Connection, user_id: int, key: str, digest: str, now: datetime) -> tuple[int, Any] | None:
    """The stored (status, body) of an earlier request with this key, or None after claiming the key
    for this request. Concurrent requests with one key: the second waits for the first's commit."""
    try:
        with conn.begin_nested():
            conn.execute(insert(t).values(user_id=user_id, key=key, request=digest, status=PENDING,
                                          response={}, created_at=now))
        return None
    except IntegrityError:
        row = conn.execute(select(t).where(t.c.user_id == user_id, t.c.key == key)).one()
    if row.request != digest:
        raise Conflict("Idempotency-Key 已用于另一个请求", "this Idempotency-Key was used for a different request")
    return row.status, row.response


def remember(conn: Connection, user_id: int, key: str, status: int, body: Any) -> None:
    conn.execute(update(t).where(t.c.user_id == user_id, t.c.key == key).values(status=status, response=body))
