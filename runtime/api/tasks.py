"""Tasks: my inbox, and deciding a task — approve, reject, return (退回), transfer (转交), add approvers
(加签) — or completing a to-do. Only the assignee decides; the engine refuses anyone else."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request

from engine.errors import BadQuery, NotFound
from engine.flows.events import AddApprovers, Decide, Transfer
from runtime.accounts.users import user_by_name
from runtime.api.deps import DB, CurrentUser, Id, Now
from runtime.api.guard import NO_RECORDS
from runtime.flows import flows
from runtime.schemas.flows import AddApproversIn, CommentIn, TransferIn, task_json

# Tasks name their record by id and never carry its data; what the flow then writes, it writes as the
# flow (docs/flows.md). An assignee reads the record itself through the gate (runtime/permissions/approvers.py).
router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], dependencies=[NO_RECORDS])

Status = Literal["open", "approved", "rejected", "returned", "transferred", "escalated", "cancelled", "skipped", "done"]


def _with_actions(conn: Any, rows: list[Any]) -> list[dict[str, Any]]:
    """Tasks as JSON, each with the `actions` its assignee may take (the step's allow_* switches)."""
    return [task_json(row, actions) for row, actions in zip(rows, flows.task_actions(conn, rows), strict=True)]


@router.get("")
def list_tasks(db: DB, user: CurrentUser, assignee: str = "me",
               status: Annotated[list[Status] | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    """`assignee=me` (default) lists my tasks; an administrator may name another user. `status=open`."""
    who = user.username if assignee == "me" else assignee
    if who != user.username and not user.is_admin:
        raise BadQuery("只能查看自己的任务", "you can only list your own tasks", field="assignee")
    with db.read() as conn:
        return {"items": _with_actions(conn, flows.tasks_of(conn, who, list(status or []), limit=limit))}


@router.get("/{task_id}")
def get_task(task_id: Id, db: DB, user: CurrentUser) -> Any:
    """One task: its assignee's (or an administrator's) to see; 404 for anyone else."""
    with db.read() as conn:
        row = flows.task(conn, task_id)
        if row.assignee != user.username and not user.is_admin:
            raise NotFound(f"没有任务 {task_id}", f"no task {task_id}")
        return _with_actions(conn, [row])[0]


def _act(task_id: Id, request: Request, db: DB, now: Now, make_event: Any) -> Any:
    with db.write() as conn:
        row = flows.task(conn, task_id)
        flows.apply(conn, row.instance_id, make_event(conn, row), now, request.app.state.timezone)
        return _with_actions(conn, [flows.task(conn, task_id)])[0]


def _body(body: CommentIn | None) -> str | None:
    return body.comment if body else None


@router.post("/{task_id}/approve")
def approve(task_id: Id, request: Request, db: DB, user: CurrentUser, now: Now,
            body: Annotated[CommentIn | None, Body()] = None) -> Any:
    return _act(task_id, request, db, now, lambda c, t: Decide(t.key, user.username, "approve", _body(body)))


@router.post("/{task_id}/reject")
def reject(task_id: Id, request: Request, db: DB, user: CurrentUser, now: Now,
           body: Annotated[CommentIn | None, Body()] = None) -> Any:
    return _act(task_id, request, db, now, lambda c, t: Decide(t.key, user.username, "reject", _body(body)))


@router.post("/{task_id}/return")
def return_task(task_id: Id, request: Request, db: DB, user: CurrentUser, now: Now,
                body: Annotated[CommentIn | None, Body()] = None) -> Any:
    """退回: back to the submitter, who may change the record and resubmit."""
    return _act(task_id, request, db, now, lambda c, t: Decide(t.key, user.username, "return", _body(body)))


def _known(conn: Any, username: str, field: str) -> str:
    if user_by_name(conn, username) is None:
        raise BadQuery(f"用户 {username} 不存在", f"no user {username!r}", field=field)
    return username


@router.post("/{task_id}/transfer")
def transfer(task_id: Id, body: TransferIn, request: Request, db: DB, user: CurrentUser, now: Now) -> Any:
    """转交 `{"to": username, "comment"}`."""
    return _act(task_id, request, db, now,
                lambda c, t: Transfer(t.key, user.username, _known(c, body.to, "to"), body.comment))


@router.post("/{task_id}/add-approver", include_in_schema=False)  # the singular, as the issue spells it
@router.post("/{task_id}/add-approvers")
def add_approvers(task_id: Id, body: AddApproversIn, request: Request, db: DB, user: CurrentUser, now: Now) -> Any:
    """加签 `{"users": [...], "comment"}`: more approvers join this step."""
    return _act(task_id, request, db, now, lambda c, t: AddApprovers(
        t.key, user.username, tuple(_known(c, u, "users") for u in body.users), body.comment))


@router.post("/{task_id}/complete")
def complete(task_id: Id, db: DB, user: CurrentUser, now: Now,
             body: Annotated[CommentIn | None, Body()] = None) -> Any:
    """Mark a to-do (follow-up, first contact) done."""
    with db.write() as conn:
        return _with_actions(conn, [flows.complete_todo(conn, task_id, user.username or "", _body(body), now)])[0]
