"""Where flows meet permissions: approvers may read what they decide, and a flow instance is shown only
to those who may see its record.

An approver (or a to-do's assignee) with a task on a record may read that record through the gate's
read grants (listed in runtime/subscribers.py), whether or not a role reaches it — from the moment the task exists, also after
deciding it, so the decision stays explainable. Reading only: updating still needs a role.

A task handed over with everything else of a leaving user (离职交接: closed as `handed_over`) is no
longer theirs and grants them nothing: the new assignee's task does. Tasks they decided themselves
(approved, rejected, returned, 加签) keep the grant, also after they left; so does a task they passed on
themselves (转交), whose timeline names them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import NotFound
from runtime.db.tables import flow_tasks, records
from runtime.permissions.check import Guard
from runtime.records.context import Actor, FormRef


def task_assignees_read(conn: Connection, actor: Actor, ref: FormRef) -> ColumnElement[bool] | None:
    """Records of this form that hold a task assigned to the actor."""
    if actor.username is None:
        return None
    mine = select(flow_tasks.c.record_id).where(
        flow_tasks.c.assignee == actor.username, flow_tasks.c.app == ref.app_key, flow_tasks.c.form == ref.form.key,
        flow_tasks.c.status != "handed_over")
    if conn.execute(mine.limit(1)).first() is None:
        return None  # no task here: the grant must not make the form visible to someone without a role
    return records.c.id.in_(mine)


def require_record(conn: Connection, guard: Guard, app: str, form: str, record_id: int) -> None:
    """The actor may read this record (through a role, a share or a task); else 404."""
    guard.form(conn, app, form, "read").require_record(record_id, "read")


def require_instance(conn: Connection, guard: Guard, row: Any) -> None:
    """An instance is visible to its submitter, administrators, and whoever may read its record; to anyone
    else it does not exist (404, as a record outside one's scope)."""
    if guard.actor.is_admin or row.submitter == guard.actor.username:
        return
    try:
        require_record(conn, guard, row.app, row.form, row.record_id)
    except NotFound:
        raise NotFound(f"流程实例 {row.id} 不存在", f"no flow instance {row.id}") from None


__all__ = ["task_assignees_read", "require_record", "require_instance"]
