"""A record's approvals on its page: the status badge, the flows the reader may submit it to, each
instance's progress (who decided what, when, who is pending until when), the reader's own open tasks and
the submitter's withdraw / resubmit. Read here; every action is the browser calling the flows and tasks
API (static/js/approvals.js)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import Connection

from builder_ui.i18n import language
from engine.app import AppDefinition
from engine.flows.chosen import chosen_steps
from runtime.accounts.naming import name_people
from runtime.api.deps import clock, site_zone
from runtime.flows import flow_triggers, flows
from runtime.records.context import Actor, FormRef
from runtime.schemas.flows import instance_json

STARTED_BY_HAND = ("submit", "button")
"""Triggers a user starts from the record page: 提交审批, and a button the definition names."""


def start_buttons(app: AppDefinition, form: str, running: set[str], offered: set[str]) -> list[dict[str, Any]]:
    """One button per enabled flow of the form that starts by hand and is not already running on the
    record: a submit flow is 提交审批 (named after the flow when there are several); a button flow
    shows its trigger's label, else the flow's name, and only when it is `offered` (its `when` holds).
    `choose`: the steps whose people the submitter picks when submitting (发起人自选), by key (else path)."""
    mine = [f for f in app.flows if f.form == form and f.enabled and f.trigger.on in STARTED_BY_HAND]
    submits = [f for f in mine if f.trigger.on == "submit"]
    buttons = []
    for flow in mine:
        if flow.key in running or (flow.trigger.on == "button" and flow.key not in offered):
            continue
        if flow.trigger.on == "submit":
            text = None if len(submits) == 1 else flow.name
        else:
            text = flow.trigger.label or flow.name
        choose = [{"step": getattr(step, "key", None) or path, "name": getattr(step, "name", None) or path}
                  for path, step in chosen_steps(flow)]
        buttons.append({"flow": flow.key, "text": text or "", "kind": flow.trigger.on, "choose": choose})
    return buttons


def by_hand(app: AppDefinition) -> list[str]:
    """The app's flows a user starts (submit, button): with its approval flows, what 我发起的 and a record's
    approval card show — not the automations a user's write happened to start."""
    return [f.key for f in app.flows if f.trigger.on in STARTED_BY_HAND]


def _flow_name(app: AppDefinition, key: str) -> str:
    return next((f.name for f in app.flows if f.key == key), key)


def panel(request: Request, conn: Connection, ref: FormRef, record_id: int, user: Actor) -> dict[str, Any]:
    """Everything the record page's approval card needs, newest instance first."""
    keys = set(flows.approval_flows(ref.app, ref.form.key))
    shown = keys | set(by_hand(ref.app))
    rows = [r for r in flows.of_record(conn, ref.app_key, ref.form.key, record_id) if r.flow in shown]
    lang, now = language(request), clock(request)
    instances = []
    for row in reversed(rows):
        tasks = flows.tasks_of(conn, None, None, instance_id=row.id, limit=500)
        body = instance_json(row, tasks, lang=lang)
        allowed = dict(zip((t.id for t in tasks), flows.task_actions(conn, tasks), strict=True))
        for task in body["tasks"]:  # the step's allow_* switches decide which buttons the assignee gets
            task["actions"] = allowed[task["id"]]
        mine = user.username == row.submitter or user.is_admin
        body |= {"flow_name": _flow_name(ref.app, row.flow),
                 "pending": [t | {"overdue": bool(t["due_at"] and datetime.fromisoformat(t["due_at"]) < now)} for t in body["tasks"]
                             if t["status"] == "open"],
                 "my_tasks": [t for t in body["tasks"] if t["status"] == "open" and t["assignee"] == user.username],
                 "can_withdraw": mine and row.status in ("running", "returned"),
                 "can_resubmit": mine and row.status == "returned"}
        instances.append(body)
    running = {r.flow for r in rows if r.status in ("running", "returned")}
    offered = {b["flow"] for b in flow_triggers.buttons_of(conn, ref, record_id, user, now,
                                                             site_zone(request))}
    name_people(conn, instances)
    latest = next((i for i in instances if i["flow"] in keys), None)
    return {"instances": instances, "status": latest["status"] if latest else None,
            "buttons": start_buttons(ref.app, ref.form.key, running, offered),
            "locked": any(r.locks_record and r.status == "running" for r in rows)}


def badges(conn: Connection, app: AppDefinition, form: str, rows: list[dict[str, Any]]) -> None:
    """Put each row's approval status (its newest approval instance's) on it as `approval`: one query for
    the page."""
    latest = flows.latest_of_records(conn, app.key, form, [r["id"] for r in rows], flows.approval_flows(app, form))
    for row in rows:
        found = latest.get(row["id"])
        row["approval"] = found.status if found else None


__all__ = ["panel", "badges", "by_hand", "start_buttons", "STARTED_BY_HAND"]
