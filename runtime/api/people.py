"""The people directory of an app (人员选择): who its builders and approvers may pick — to name approvers,
CC and notice recipients in the flow designer, or to transfer a task and add approvers from the inbox.

Open to whoever manages the app (its builders, administrators), to whoever has an open approval task in
it, and to its members when one of its flows lets the submitter choose approvers (发起人自选); another
member of the app is refused (403) and anyone else does not see the app (404). It shows only what a picker needs — id, username, display name, departments — never roles, admin rights or anything else."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import Connection

from engine.errors import BadQuery, Forbidden, NotFound
from engine.flows.chosen import chosen_steps
from runtime.accounts import people
from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions
from runtime.auth.tokens import token_allows_app
from runtime.flows import flows
from runtime.permissions.check import Guard

router = APIRouter(prefix="/api/v1/apps/{app}/people", tags=["people"])

Text = Annotated[str, Query(max_length=100)]
Limit = Annotated[int, Query(ge=1, le=people.MAX_SHOWN)]


def _may_pick(conn: Connection, guard: Guard, app: str) -> None:
    """A builder of the app, an approver with an open task in it (their transfer / add-approver choice), or a
    member of an app whose flows let the submitter choose approvers (发起人自选, when submitting)."""
    try:
        guard.require_manage(conn, app)
    except (Forbidden, NotFound):
        approver = token_allows_app(guard.actor, app) and bool(
            flows.find_tasks(conn, assignee=guard.actor.username or "", statuses=["open"], app=app, limit=1)
        )
        if not approver and not (guard.app_visible(conn, app) and _submitter_chooses(conn, app)):
            raise


def _submitter_chooses(conn: Connection, app: str) -> bool:
    definition, _ = definitions.current(conn, app)
    return any(f.enabled and f.trigger.on in ("submit", "button") and chosen_steps(f) for f in definition.flows)


@router.get("")
def search_people(
    app: str,
    db: DB,
    guard: Gatekeeper,
    q: Text = "",
    department: Annotated[str | None, Query(max_length=63)] = None,
    username: Annotated[list[str] | None, Query(max_length=50)] = None,
    limit: Limit = 20,
) -> Any:
    """Active users whose username or display name contains `q`, by username: `{"items": [{id, username,
    display_name, departments: [{key, name, primary}]}]}`. `department=<key>`: its members and those of the
    departments below it; `username=` (repeatable): exactly those users (a picker showing chosen names)."""
    with db.read() as conn:
        _may_pick(conn, guard, app)
        if department is not None and not people.known_department(conn, department):
            raise BadQuery(f"部门 {department} 不存在", f"no department {department!r}", field="department")
        return {"items": people.search(conn, q, department=department, usernames=username, limit=limit)}


@router.get("/departments")
def search_departments(app: str, db: DB, guard: Gatekeeper, q: Text = "", limit: Limit = 20) -> Any:
    """Departments whose key or name contains `q`, by name: `{"items": [{key, name, parent, head, head_name}]}`."""
    with db.read() as conn:
        _may_pick(conn, guard, app)
        return {"items": people.search_departments(conn, q, limit=limit)}
