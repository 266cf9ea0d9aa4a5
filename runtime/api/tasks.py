"""Tasks: my inbox, and deciding a task — approve, reject, return (退回), transfer (转交), add approvers
(加签) — or completing a to-do. Only the assignee decides; the engine refuses anyone else."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request

from engine.errors import BadQuery, EngineError, Issue, NotFound
from engine.flows.events import AddApprovers, Decide, Transfer
from runtime.accounts.naming import name_people
from runtime.accounts.users import user_by_name
from runtime.api.deps import DB, CurrentUser, Id, IdQuery, Now, site_zone
from runtime.api.errors import language
from runtime.api.guard import NO_RECORDS
from runtime.flows import flows
from runtime.schemas.flows import AddApproversIn, BatchApproveIn, CommentIn, TransferIn, cc_json, task_json

# Tasks name their record by id and never carry its data; what the flow then writes, it writes as the
# flow (docs/flows.md). An assignee reads the record itself through the gate (runtime/permissions/approvers.py).
router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], dependencies=[NO_RECORDS])

Status = Literal["open", "approved", "rejected", "returned", "transferred", "escalated", "cancelled", "skipped", "done",
                 "added_before", "handed_over"]


def _with_actions(conn: Any, rows: list[Any]) -> list[dict[str, Any]]:
    """Tasks as JSON, each with the `actions` its assignee may take (the step's allow_* switches), and the
    display names of the people they name."""
    return name_people(conn, [task_json(row, actions)
                              for row, actions in zip(rows, flows.task_actions(conn, rows), strict=True)])


@router.get("")
def list_tasks(db: DB, user: CurrentUser, assignee: str = "me",
               status: Annotated[list[Status] | None, Query()] = None, app: str | None = None,
               flow: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    """`assignee=me` (default) lists my tasks, oldest first; an administrator may name another user.
    `status=open`; `app` and `flow` narrow it (the inbox's filters)."""
    who = user.username if assignee == "me" else assignee
    if who != user.username and not user.is_admin:
        raise BadQuery("只能查看自己的任务", "you can only list your own tasks", field="assignee")
    with db.read() as conn:
        if app is None and flow is None:
            return {"items": _with_actions(conn, flows.tasks_of(conn, who, list(status or []), limit=limit))}
        rows = flows.find_tasks(conn, assignee=who, statuses=list(status or []), app=app, flow=flow, limit=limit)
        rows = list(reversed(rows))
        return {"items": [t | {"flow": r.flow} for t, r in zip(_with_actions(conn, rows), rows, strict=True)]}


@router.get("/count")
def count_tasks(db: DB, user: CurrentUser) -> Any:
    """`{"open": n}`: how many tasks wait for me (the web UI's top bar shows it on every page)."""
    with db.read() as conn:
        return {"open": flows.open_task_count(conn, user.username or "")}


def task_page(conn: Any, rows: list[Any], limit: int, total: int, actions: list[list[str]] | None = None) -> dict[str, Any]:
    """One keyset page of an inbox tab: `next_before` (None on the last page) and the tab's `total`."""
    shown = rows[:limit]
    return {"items": name_people(conn, [task_json(r, actions[i] if actions else None)
                                        | {"flow": r.flow, "submitter": r.submitter} for i, r in enumerate(shown)]),
            "next_before": shown[-1].id if len(rows) > limit else None, "total": total}


@router.get("/open")
def open_tasks(db: DB, user: CurrentUser, app: str | None = None, flow: str | None = None, before: IdQuery = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """待我处理 as the inbox pages it: my open tasks newest first, each with its `actions`; `next_before`
    pages on (keyset on the task id) and `total` counts them all under the app and flow filters."""
    mine = {"assignee": user.username or "", "statuses": ["open"], "app": app, "flow": flow}
    with db.read() as conn:
        rows = flows.find_tasks(conn, **mine, before=before, limit=limit + 1)
        return task_page(conn, rows, limit, flows.count_tasks(conn, **mine),
                     flows.task_actions(conn, rows[:limit]))


@router.get("/done")
def done_tasks(db: DB, user: CurrentUser, app: str | None = None, flow: str | None = None, before: IdQuery = None,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """我已处理: tasks I decided (approved, rejected, returned, transferred, added approvers to) or completed,
    newest first; `next_before` pages on, `total` counts them all."""
    with db.read() as conn:
        rows = flows.find_tasks(conn, decided_by=user.username or "", app=app, flow=flow, before=before,
                                limit=limit + 1)
        return task_page(conn, rows, limit, flows.count_tasks(conn, decided_by=user.username or "", app=app, flow=flow))


@router.get("/cc")
def copied_to_me(request: Request, db: DB, user: CurrentUser, app: str | None = None, flow: str | None = None,
                 before: IdQuery = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """抄送我: each cc / notify step of a flow that named me, newest instance first, with its instance's
    status and `sent`, the in-app message it sent me (`{title, body}`, null for an e-mail); `next_before`
    (an instance id) pages on."""
    with db.read() as conn:
        found, after = flows.copied_to(conn, user.username or "", app=app, flow=flow, before=before, limit=limit)
        lang = language(request)
        return {"items": name_people(conn, [cc_json(row, entry, sent, lang) for row, entry, sent in found]),
                "next_before": after}


@router.post("/batch-approve")
def batch_approve(body: BatchApproveIn, request: Request, db: DB, user: CurrentUser, now: Now) -> Any:
    """批量同意 `{"ids": [...], "comment"}`: every task approved with the one comment, all or nothing — a task
    that cannot be approved (not mine, already decided, a to-do) refuses the whole batch with its error,
    `error.task_id` and the detail path `ids[i]`, and nothing is approved."""
    if len(set(body.ids)) != len(body.ids):
        raise BadQuery("任务重复", "a task is listed twice", field="ids")
    decided = []
    with db.write() as conn:
        for i, task_id in enumerate(body.ids):
            try:
                row = flows.task(conn, task_id)
                if row.assignee != user.username:
                    raise NotFound(f"没有任务 {task_id}", f"no task {task_id}")
                if row.kind != "approval":
                    raise BadQuery("待办不能批量同意，请逐个完成", "a to-do is completed, not approved")
                flows.apply(conn, row.instance_id, Decide(row.key, user.username, "approve", body.comment), now,
                            site_zone(request))
            except EngineError as e:  # the whole transaction rolls back: the error names the task that refused
                e.issues = [Issue(f"ids[{i}]", e.code, e.message, e.message_en)]
                e.message, e.message_en = f"任务 #{task_id}：{e.message}", f"task {task_id}: {e.message_en or e.message}"
                e.extra = {**e.extra, "task_id": task_id}
                raise
            decided.append(task_json(flows.task(conn, task_id)))
        return {"items": name_people(conn, decided)}


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
        flows.apply(conn, row.instance_id, make_event(conn, row), now, site_zone(request))
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
    """加签 `{"users": [...], "comment", "position": "after" | "before"}`: more approvers join this step —
    after me (后加签, the default), or before me (前加签: they decide first, then the task comes back to me)."""
    return _act(task_id, request, db, now, lambda c, t: AddApprovers(
        t.key, user.username, tuple(_known(c, u, "users") for u in body.users), body.comment, body.position))


@router.post("/{task_id}/complete")
def complete(task_id: Id, db: DB, user: CurrentUser, now: Now,
             body: Annotated[CommentIn | None, Body()] = None) -> Any:
    """Mark a to-do (follow-up, first contact) done."""
    with db.write() as conn:
        return _with_actions(conn, [flows.complete_todo(conn, task_id, user.username or "", _body(body), now)])[0]
