"""In-app messages (站内消息) of the current user; the admin's view of failed and dead jobs, and retry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from engine.errors import Forbidden
from runtime.api.deps import DB, CurrentUser, Id, IdQuery, Now
from runtime.api.guard import NO_RECORDS
from runtime.flows import messages
from runtime.jobs import outbox
from runtime.schemas.flows import delivery_json, job_json, message_json

router = APIRouter(prefix="/api/v1", tags=["messages", "jobs"], dependencies=[NO_RECORDS])


@router.get("/messages")
def list_messages(db: DB, user: CurrentUser, unread: bool = False, before: IdQuery = None,
                  limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """My messages (抄送, notices, reminders), newest first, each with the `form` of the record it concerns;
    `unread=true`; `before=<id>` (the answer's `next_before`) for the next page; `unread_count`: all unread."""
    with db.read() as conn:
        rows = messages.inbox(conn, user.username or "", unread=unread, limit=limit + 1, before=before)
        unread_count = messages.unread_count(conn, user.username or "")
    return {"items": [message_json(r) for r in rows[:limit]],
            "next_before": rows[limit - 1].id if len(rows) > limit else None, "unread_count": unread_count}


@router.get("/messages/count")
def count_messages(db: DB, user: CurrentUser) -> Any:
    """`{"unread": n}`: my unread messages (the web UI's top bar shows it on every page)."""
    with db.read() as conn:
        return {"unread": messages.unread_count(conn, user.username or "")}


@router.post("/messages/read-all")
def read_all_messages(db: DB, user: CurrentUser, now: Now, up_to: IdQuery = None) -> Any:
    """Mark all my unread messages read (`up_to=<id>`: only those up to that one, what I have seen):
    `{"read": n, "unread": left}`."""
    with db.write() as conn:
        done = messages.mark_all_read(conn, user.username or "", now, up_to=up_to)
        return {"read": done, "unread": messages.unread_count(conn, user.username or "")}


@router.post("/messages/{message_id}/read")
def read_message(message_id: Id, db: DB, user: CurrentUser, now: Now) -> Any:
    with db.write() as conn:
        return message_json(messages.mark_read(conn, user.username or "", message_id, now))


def _admin(user: Any) -> None:
    if not user.is_admin:
        raise Forbidden("只有管理员可以查看后台任务", "only administrators can see jobs")


JobStatus = Literal["pending", "running", "done", "failed", "dead"]


@router.get("/jobs")
def list_jobs(db: DB, user: CurrentUser, status: Annotated[list[JobStatus] | None, Query()] = None,
              kind: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    """Jobs by status (default: failed and dead), newest first."""
    _admin(user)
    with db.read() as conn:
        return {"items": [job_json(j) for j in outbox.list_jobs(conn, list(status or ["failed", "dead"]), kind, limit)]}


@router.get("/jobs/{job_id}")
def get_job(job_id: Id, db: DB, user: CurrentUser) -> Any:
    """One job with every delivery attempt."""
    _admin(user)
    with db.read() as conn:
        return {**job_json(outbox.get(conn, job_id)),
                "deliveries": [delivery_json(d) for d in outbox.job_deliveries(conn, job_id)]}


@router.post("/jobs/{job_id}/retry")
def retry_job(job_id: Id, db: DB, user: CurrentUser, now: Now) -> Any:
    """Run a failed or dead job again now (409 for any other status)."""
    _admin(user)
    with db.write() as conn:
        return job_json(outbox.retry(conn, job_id, now))
