"""What an administrator of a flow reads about its instances: a page of them (by status and app version,
newest first on a keyset cursor), how many there are in each status, and where each one waits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from engine.flows.state import FlowInstanceState
from runtime.db.tables import flow_instances


def _of_flow(app: str, flow: str, version: int | None) -> list[Any]:
    where = [flow_instances.c.app == app, flow_instances.c.flow == flow]
    if version is not None:
        where.append(flow_instances.c.def_version == version)
    return where


def page(conn: Connection, app: str, flow: str, *, statuses: list[str], version: int | None, before: int | None,
         limit: int) -> list[Row[Any]]:
    """The flow's instances newest first: those older than `before`, at most `limit`."""
    query = select(flow_instances).where(*_of_flow(app, flow, version)).order_by(flow_instances.c.id.desc())
    if statuses:
        query = query.where(flow_instances.c.status.in_(statuses))
    if before is not None:
        query = query.where(flow_instances.c.id < before)
    return list(conn.execute(query.limit(limit)))


def counts(conn: Connection, app: str, flow: str, version: int | None) -> dict[str, int]:
    """Status → how many of the flow's instances (on `version`, or on any) have it."""
    rows = conn.execute(select(flow_instances.c.status, func.count()).where(*_of_flow(app, flow, version))
                        .group_by(flow_instances.c.status))
    return {str(status): int(n) for status, n in rows}


def versions(conn: Connection, app: str, flow: str) -> list[int]:
    """The app versions the flow's instances started on, newest first."""
    return [int(v) for v in conn.scalars(select(flow_instances.c.def_version).where(*_of_flow(app, flow, None))
                                         .group_by(flow_instances.c.def_version)
                                         .order_by(flow_instances.c.def_version.desc()))]


def _steps_seen(state: FlowInstanceState) -> dict[str, tuple[str | None, datetime]]:
    """Step path → its name and when the timeline last spoke of it (a wait step has no task to say so)."""
    return {e.step: (e.step_name, e.at) for e in state.timeline if e.step}


def waits(row: Row[Any]) -> list[dict[str, Any]]:
    """Where the instance waits, one entry per step: open approvals and to-dos (who, since when, due when,
    and for an approval the approvers whose turn has not come yet), a wait step's time, or the submitter's
    resubmission after a return. Nothing for an instance that has ended."""
    state = FlowInstanceState.model_validate(row.state)
    if row.status == "returned":
        return [{"kind": "resubmit", "step": None, "step_name": None, "assignees": [row.submitter] if row.submitter
                 else [], "since": row.updated_at, "due_at": None, "later": []}]
    if row.status != "running":
        return []
    found: dict[str, dict[str, Any]] = {}
    for task in state.open_tasks():
        entry = found.setdefault(task.step, {"kind": task.kind, "step": task.step, "step_name": task.step_name,
                                             "assignees": [], "since": task.created_at, "due_at": task.due_at,
                                             "later": []})
        entry["assignees"].append(task.assignee)
        entry["since"] = min(entry["since"], task.created_at)
        if task.due_at is not None:
            entry["due_at"] = task.due_at if entry["due_at"] is None else min(entry["due_at"], task.due_at)
    for step, entry in found.items():
        run = state.approvals.get(step)
        if run is not None:  # sequential approvals: those after the current one
            done = {*run.approved, *run.rejected, *entry["assignees"]}
            entry["later"] = [a for a in run.approvers if a not in done]
    seen = _steps_seen(state)
    for key, at in state.timers.items():
        if key.startswith("wait:"):
            step = key.removeprefix("wait:")
            name, since = seen.get(step, (None, row.updated_at))
            found.setdefault(step, {"kind": "wait", "step": step, "step_name": name, "assignees": [],
                                    "since": since, "due_at": at, "later": []})
    return sorted(found.values(), key=lambda e: e["since"])


__all__ = ["page", "counts", "versions", "waits"]
