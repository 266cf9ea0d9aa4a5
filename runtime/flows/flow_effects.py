"""Carrying out a transition's effects inside its transaction: record writes and deletes, in-app messages,
to-dos and assignments at once; e-mail, robots, webhooks and timers as outbox jobs with an idempotency key each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, func, insert, select, text

from engine.app import AppDefinition
from engine.expr.evaluate import EvalContext
from engine.flows import effects as fx
from engine.flows.machine import Outcome
from engine.flows.model import FlowDefinition
from runtime.accounts.naming import named_in
from runtime.apps import definitions
from runtime.db.tables import flow_tasks, live
from runtime.db.tables import records as records_table
from runtime.flows import messages
from runtime.jobs import outbox
from runtime.records import records
from runtime.records.columns import field_column
from runtime.records.context import SYSTEM, Actor, Change, FormRef
from runtime.records.derived import pointing_at
from runtime.records.expressions import filter_clause
from runtime.records.matching import oldest_duplicate, oldest_matching


def _next_turn(conn: Connection, key: str) -> int:
    """1, 2, 3 … per key, atomically (the row lock serialises concurrent assignments)."""
    return int(conn.execute(text(
        "INSERT INTO flow_counters (key, value) VALUES (:k, 1) "
        "ON CONFLICT (key) DO UPDATE SET value = flow_counters.value + 1 RETURNING value"), {"k": key}).scalar_one())


def _fewest_open(conn: Connection, ref: FormRef, effect: fx.Assign, now: datetime, tz: ZoneInfo) -> str:
    col = field_column(ref.form.field(effect.field), conn.dialect.name).raw_expr()
    query = (select(col, func.count()).select_from(records_table)
             .where(records_table.c.app == ref.app_key, records_table.c.form == ref.form.key,
                    live(records_table), col.in_(effect.users)).group_by(col))
    if effect.open_when:
        query = query.where(filter_clause(ref, effect.open_when, conn.dialect.name, EvalContext(now, tz)))
    counts = {str(user): n for user, n in conn.execute(query)}
    return min(effect.users, key=lambda u: (counts.get(u, 0), effect.users.index(u)))


def _todos(conn: Connection, row: Row[Any], users: tuple[str, ...], name: str, step: str, due: datetime | None,
           now: datetime, key: str) -> None:
    if users:
        conn.execute(insert(flow_tasks), [
            {"instance_id": row.id, "key": f"{key}:{user}"[:100], "kind": "todo", "step": step, "step_name": name,
             "assignee": user, "status": "open", "app": row.app, "form": row.form, "record_id": row.record_id,
             "created_at": now, "due_at": due} for user in users])
        messages.send(conn, users, "新待办", name, now, app=row.app, record_id=row.record_id, instance_id=row.id)


@dataclass(frozen=True)
class Carrying:
    """What carrying out one effect needs: the transaction, the instance row, its app and flow, the change it
    is made as (the submitter's name, now, the time zone), and the effect's idempotency key."""

    conn: Connection
    row: Row[Any]
    app: AppDefinition
    flow: FlowDefinition
    change: Change
    key: str
    created: dict[str, int] = field(default_factory=dict)
    """create_record step → the id it made or matched, shared by the effects of one transition."""

    def flow_form(self) -> FormRef:
        return definitions.form_ref(self.conn, self.app.key, self.flow.form)


def _update_record(c: Carrying, effect: fx.UpdateRecord) -> None:
    if c.row.record_id is not None:
        records.update_record(c.conn, c.flow_form(), c.row.record_id, effect.values, c.change)


def _known(c: Carrying, values: dict[str, Any]) -> dict[str, Any]:
    """Values with each `Created` marker replaced by the id its step made (blank if that step made none)."""
    return {k: c.created.get(v.step) if isinstance(v, fx.Created) else v for k, v in values.items()}


def _create_record(c: Carrying, effect: fx.CreateRecord) -> None:
    ref = definitions.form_ref(c.conn, c.app.key, effect.form)
    values = _known(c, effect.values)
    found = oldest_matching(c.conn, ref, _known(c, effect.match), c.change.ctx) if effect.match else None
    if found is None and effect.match_duplicates:
        found = oldest_duplicate(c.conn, ref, values, c.change)
    record_id = found if found is not None else records.create(c.conn, ref, values, c.change).id
    c.created[effect.step] = record_id
    if effect.link and c.row.record_id is not None:
        records.update_record(c.conn, c.flow_form(), c.row.record_id, {effect.link: record_id}, c.change)


def _delete_records(c: Carrying, effect: fx.DeleteRecords) -> None:
    if c.row.record_id is None:
        return
    if effect.form is None or effect.field is None:
        records.delete(c.conn, c.flow_form(), c.row.record_id, c.change)
        return
    ref = definitions.form_ref(c.conn, c.app.key, effect.form)
    query = pointing_at(c.conn, c.app.key, ref.form, effect.field, {c.row.record_id}).order_by(records_table.c.id)
    if effect.when:
        query = query.where(filter_clause(ref, effect.when, c.conn.dialect.name, EvalContext(c.change.now,
                                                                                            c.change.timezone)))
    for related in c.conn.execute(query).all():  # one by one: each is locked, logged and seen by subscribers
        records.delete(c.conn, ref, related.id, c.change)


def _assign(c: Carrying, effect: fx.Assign) -> None:
    conn, row, app, change, key = c.conn, c.row, c.app, c.change, c.key
    if not effect.users or row.record_id is None:
        return
    ref = definitions.form_ref(conn, app.key, row.form)
    if effect.strategy == "round_robin":
        user = effect.users[(_next_turn(conn, f"{app.key}/{row.flow}/{effect.step}") - 1) % len(effect.users)]
    else:
        user = _fewest_open(conn, ref, effect, change.now, change.timezone)
    records.update_record(conn, ref, row.record_id, {effect.field: user}, change)
    if effect.task_name:
        _todos(conn, row, (user,), effect.task_name, effect.step, effect.task_due, change.now, key)
    else:
        messages.send(conn, [user], "新分配", f"你被指定为“{ref.form.name}”记录 {row.record_id} 的负责人", change.now,
                      app=app.key, record_id=row.record_id, instance_id=row.id)


def _notify(c: Carrying, effect: fx.Notify) -> None:
    conn, row, now = c.conn, c.row, c.change.now
    text = named_in(conn, effect.message, effect.named) if effect.named else effect.message  # people by name
    if effect.channel == "in_app":
        messages.send(conn, effect.users, effect.title, text, now, app=row.app, record_id=row.record_id,
                      instance_id=row.id, step=effect.step)
    elif effect.channel == "email":
        outbox.enqueue(conn, "email", {"to": list(effect.users), "subject": effect.title, "body": text},
                       now, key=c.key)
    else:
        outbox.enqueue(conn, effect.channel, {"webhook": effect.webhook, "secret": effect.secret,
                                              "title": effect.title, "message": text}, now, key=c.key)


def _call_webhook(c: Carrying, effect: fx.CallWebhook) -> None:
    outbox.enqueue(c.conn, "webhook", {"url": effect.url, "secret": effect.secret, "body": effect.body},
                   c.change.now, key=c.key, max_attempts=effect.attempts)


def _call_http(c: Carrying, effect: fx.CallHttp) -> None:
    """Sent later by the `http_request` job, which adds the secrets and keeps the answer (flows/http_answer.py)."""
    outbox.enqueue(c.conn, "http_request", {"request": effect.request, "values": effect.values, "step": effect.step,
                                            "instance_id": c.row.id, "app": c.row.app}, c.change.now, key=c.key,
                   max_attempts=effect.attempts)


def _open_todo(c: Carrying, effect: fx.OpenTodo) -> None:
    _todos(c.conn, c.row, effect.users, effect.name, effect.step, effect.due_at, c.change.now, c.key)


def _set_timer(c: Carrying, effect: fx.SetTimer) -> None:
    outbox.enqueue(c.conn, "flow_timer", {"instance_id": c.row.id, "key": effect.key}, c.change.now,
                   run_at=effect.at, key=f"timer:{c.row.id}:{effect.key}:{effect.at.isoformat()}"[:200])


def _nothing(c: Carrying, effect: Any) -> None:
    """Finished: the instance's new status is stored with its state, nothing else to do."""


CARRY_OUT: dict[type, Callable[[Carrying, Any], None]] = {
    fx.UpdateRecord: _update_record,
    fx.CreateRecord: _create_record,
    fx.DeleteRecords: _delete_records,
    fx.Notify: _notify,
    fx.CallWebhook: _call_webhook,
    fx.CallHttp: _call_http,
    fx.Assign: _assign,
    fx.OpenTodo: _open_todo,
    fx.SetTimer: _set_timer,
    fx.Finished: _nothing,
}
"""Every effect the engine emits → how the runtime carries it out (a new effect needs one line here)."""


def carry_out(conn: Connection, row: Row[Any], app: AppDefinition, flow: FlowDefinition, outcome: Outcome,
              now: datetime, tz: ZoneInfo, *, base: int) -> None:
    """Do what the transition asks. Flow writes are made in the submitter's name (the system's when none)."""
    change = Change(Actor(row.submitter) if row.submitter else SYSTEM, now, tz)
    created: dict[str, int] = {}
    for n, effect in enumerate(outcome.effects):
        CARRY_OUT[type(effect)](Carrying(conn, row, app, flow, change, f"flow:{row.id}:{base}:{n}", created), effect)


__all__ = ["CARRY_OUT", "Carrying", "carry_out"]
