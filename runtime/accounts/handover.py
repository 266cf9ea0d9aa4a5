"""离职交接: what a leaving user holds — the records they own, their open tasks, the running flows they
started — counted per app and form (the preview), and handed to another user in one transaction.

Approval tasks pass through the flow engine's 转交 (the instance's timeline records it, the approver
rules stay the engine's); to-dos change assignee; a running flow's submitter becomes the new user (a
退回 then comes back to them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select, update

from engine.flows.events import HANDOVER_COMMENT, Transfer
from runtime.accounts.accounts import hand_over, user_row
from runtime.db.tables import flow_instances, flow_tasks, records
from runtime.flows import flows

_RUNNING = ("running", "returned")


def _counts(conn: Connection, table: Any, where: Any) -> list[dict[str, Any]]:
    rows = conn.execute(select(table.c.app, table.c.form, func.count().label("n")).where(where)
                        .group_by(table.c.app, table.c.form).order_by(table.c.app, table.c.form))
    return [{"app": r.app, "form": r.form, "count": int(r.n)} for r in rows]


def preview(conn: Connection, username: str) -> dict[str, Any]:
    """What a handover of `username` would move, per app and form (records deleted to the recycle bin
    count too: they come back owned by the new user)."""
    user_row(conn, username)  # 404 for a name that is no user
    return {"username": username,
            "records": _counts(conn, records, records.c.owner == username),
            "tasks": _counts(conn, flow_tasks, (flow_tasks.c.assignee == username) & (flow_tasks.c.status == "open")),
            "flows": _counts(conn, flow_instances, (flow_instances.c.submitter == username)
                             & flow_instances.c.status.in_(_RUNNING))}


def hand_over_all(conn: Connection, username: str, to: str, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    """Move everything the preview lists from `username` to `to`; returns the preview as it was."""
    moved = preview(conn, username)
    hand_over(conn, username, to, field="to")  # refuses the same user, an unknown or deactivated one
    open_tasks = conn.execute(select(flow_tasks.c.id, flow_tasks.c.instance_id, flow_tasks.c.key, flow_tasks.c.kind)
                              .where(flow_tasks.c.assignee == username, flow_tasks.c.status == "open")
                              .order_by(flow_tasks.c.id)).all()
    for task in open_tasks:
        if task.kind == "approval":
            flows.apply(conn, task.instance_id, Transfer(task.key, username, to, HANDOVER_COMMENT, handover=True), now, tz)
        else:
            conn.execute(update(flow_tasks).where(flow_tasks.c.id == task.id).values(assignee=to))
    started = conn.execute(select(flow_instances.c.id, flow_instances.c.state).where(
        flow_instances.c.submitter == username, flow_instances.c.status.in_(_RUNNING))).all()
    for instance in started:
        conn.execute(update(flow_instances).where(flow_instances.c.id == instance.id).values(
            submitter=to, state={**instance.state, "submitter": to}))
    return moved


__all__ = ["hand_over_all", "preview"]
