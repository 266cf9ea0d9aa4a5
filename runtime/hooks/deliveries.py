"""The deliveries log of inbound hooks: one row per delivery whose caller proved the secret (and one per
refusal, without its body), the answer given, and the record it touched. A delivery id answered with
success is remembered: the same id again gets that answer back (runtime/hooks/receive.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from runtime.db.tables import hook_deliveries

PAYLOAD_KEPT = 4000
"""Characters of a posted body the log keeps: enough to see what came, never the log's size of a 1 MB body."""
MAX_LIMIT = 200
OUTCOMES = ("created", "updated", "unchanged", "flow", "invalid", "refused", "failed")


def _storable(value: Any) -> Any:
    """JSON PostgreSQL can keep: a U+0000 (which a payload may carry into an error's message) made U+FFFD."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False).replace("\\u0000", "\ufffd"))


def answered(conn: Connection, app: str, hook: str, delivery_id: str) -> Row[Any] | None:
    """The earlier successful delivery of this id, if any."""
    d = hook_deliveries.c
    return conn.execute(select(hook_deliveries).where(d.app == app, d.hook == hook,
                                                      d.accepted_id == delivery_id)).first()


def log(conn: Connection, app: str, hook: str, now: datetime, *, status: int, outcome: str, answer: dict[str, Any],
        body: bytes | None = None, delivery_id: str | None = None, error: dict[str, Any] | None = None,
        form: str | None = None, record_id: int | None = None) -> int:
    """Append one delivery; a success keeps its delivery id as answered (unique: a racing twin fails here)."""
    text = body.decode("utf-8", "replace").replace("\x00", "\ufffd") if body is not None else None
    result = conn.execute(insert(hook_deliveries).values(
        app=app, hook=hook, delivery_id=delivery_id, accepted_id=delivery_id if status < 300 else None, at=now,
        status=status, outcome=outcome, error=_storable(error), form=form, record_id=record_id, answer=answer,
        payload=text[:PAYLOAD_KEPT] if text is not None else None, payload_size=len(body or b"")))
    return int(result.inserted_primary_key[0])


def search(conn: Connection, app: str, *, hook: str | None = None, status: str | None = None,
           delivery_id: str | None = None, record_id: int | None = None, before: int | None = None,
           limit: int = 50) -> list[Row[Any]]:
    """The app's deliveries, newest first: of one hook, succeeded (`ok`) or failed (`error`), by delivery id
    or record; `before` an id for the next page."""
    d = hook_deliveries.c
    query = select(hook_deliveries).where(d.app == app)
    if hook:
        query = query.where(d.hook == hook)
    if status == "ok":
        query = query.where(d.status < 300)
    elif status == "error":
        query = query.where(d.status >= 300)
    if delivery_id:
        query = query.where(d.delivery_id == delivery_id)
    if record_id is not None:
        query = query.where(d.record_id == record_id)
    if before is not None:
        query = query.where(d.id < before)
    return list(conn.execute(query.order_by(d.id.desc()).limit(min(max(limit, 1), MAX_LIMIT))))


def delivery_json(row: Row[Any]) -> dict[str, Any]:
    """One delivery as the API and the page show it."""
    return {"id": row.id, "hook": row.hook, "delivery_id": row.delivery_id, "at": row.at.isoformat(),
            "status": row.status, "outcome": row.outcome, "error": row.error, "form": row.form,
            "record_id": row.record_id, "payload": row.payload, "payload_size": row.payload_size,
            "payload_cut": row.payload is not None and row.payload_size > len(row.payload.encode())}


__all__ = ["MAX_LIMIT", "OUTCOMES", "PAYLOAD_KEPT", "answered", "delivery_json", "log", "search"]
