"""What record writes do to flows, inside the write's transaction: a record under approval refuses
updates and deletes (423), creates, updates and deletes start the flows they trigger, date-relative flows
are (re)scheduled when their date changes. Schedules (cron) and date timers run from the job queue. A user
starts submit and button flows by hand (`start_by_hand`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from engine.errors import FlowStateError, NotFound, RecordLocked
from engine.expr.evaluate import EvalContext
from engine.flows.cron import Cron
from engine.flows.events import Cancel
from engine.flows.model import FlowDefinition
from engine.flows.reads import relation_paths
from engine.flows.triggers import button_offered, condition_holds, fire_at, starts_on
from runtime.apps import definitions
from runtime.db.tables import apps, live, records
from runtime.flows import flows
from runtime.jobs import outbox
from runtime.permissions.check import FormGate, Guard
from runtime.permissions.seen import reads_unseen, seen_values
from runtime.records import records as records_storage
from runtime.records.context import SYSTEM, Actor, FormRef
from runtime.records.derived import related_values
from runtime.records.events import RecordEvent
from runtime.records.expressions import filter_clause


def refuse_locked(conn: Connection, event: RecordEvent) -> None:
    """A record with an open approval task is read-only, except to the flow that holds it and, for the fields
    its step lists in `editable_fields`, to the approver of an open task."""
    if event.action not in ("update", "delete"):
        return
    ids = [i for i in event.ids if not flows.is_carrying_out(event.ref.app_key, record_id=i)]
    if not ids:
        return
    holder = flows.locked(conn, event.ref.app_key, ids)
    if holder is not None:
        beyond = _beyond_approver_edits(conn, event, ids)
        if beyond is not None and not beyond:
            return
        flow = event.ref.app.flow(holder.flow) if any(f.key == holder.flow for f in event.ref.app.flows) else None
        name = flow.name if flow else holder.flow
        if beyond:
            raise RecordLocked(f"记录正在“{name}”审批中，你不能修改 {'、'.join(beyond)}",
                               f"the record is under approval ({holder.flow}): you may not change "
                               f"{', '.join(beyond)}", instance_id=holder.id, field=beyond[0])
        raise RecordLocked(f"记录正在“{name}”审批中，审批结束前不能修改", f"the record is under approval ({holder.flow}) "
                           "and read-only until it ends", instance_id=holder.id)


def _beyond_approver_edits(conn: Connection, event: RecordEvent, ids: list[int]) -> list[str] | None:
    """An update by an approver whose open task's step lets them edit some fields (editable_fields): the
    changed fields outside those (empty: it may pass the lock). None for anyone else."""
    user = event.change.actor.username
    if event.action != "update" or user is None:
        return None
    editable = flows.editable_under_approval(conn, event.ref.app_key, ids, user)
    if not editable:
        return None
    form = event.ref.form.by_key
    changed = {k for k in event.changed_fields if k not in form or not form[k].computed}  # formulas follow
    return sorted(changed - editable)


def _date_key(app: str, flow: str, record_id: int) -> str:
    return f"date:{app}:{flow}:{record_id}:"


def schedule_date(conn: Connection, app: str, flow: FlowDefinition, record_id: int, data: dict[str, Any],
                  now: datetime, tz: ZoneInfo, *, new: bool = False) -> None:
    """(Re)place the record's timer for a date-relative flow (a new record has none to replace)."""
    prefix = _date_key(app, flow.key, record_id)
    if not new:
        outbox.drop_pending(conn, prefix)
    at = fire_at(flow, data, now, tz)
    if at is not None:
        outbox.enqueue(conn, "date_trigger", {"app": app, "flow": flow.key, "record_id": record_id}, now, run_at=at,
                       key=f"{prefix}{at.isoformat()}")


def start_triggered(conn: Connection, event: RecordEvent) -> None:
    app, form = event.ref.app, event.ref.form
    wanted = [f for f in app.flows if f.form == form.key and f.enabled and f.trigger.on in ("create", "update", "date")]
    if not wanted:
        return
    change = event.change
    for flow in wanted:
        befores, afters = (with_related(conn, event.ref, flow, datas) for datas in (event.before, event.after))
        for record_id, before, after in zip(event.ids, befores, afters, strict=True):
            if flow.trigger.on == "date":
                if event.action == "delete":
                    outbox.drop_pending(conn, _date_key(app.key, flow.key, record_id))
                elif event.action != "update" or before.get(flow.trigger.field) != after.get(flow.trigger.field):
                    schedule_date(conn, app.key, flow, record_id, after, change.now, change.timezone,
                                  new=event.action == "create")
            elif event.action in ("create", "update") and not flows.is_carrying_out(app.key, flow.key, record_id) \
                    and starts_on(flow, event.action, form, before, {**after, "id": record_id}, change.now,
                                  change.timezone, change.actor.username):
                flows.start(conn, app.key, flow.key, record_id, change.actor, change.now, change.timezone)


def with_related(conn: Connection, ref: FormRef, flow: FlowDefinition,
                 datas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records' data with the values through relations the flow reads (`ticket.urgency`), for the condition
    of its create, update or delete trigger; one query per relation for the whole write. Before and after of an
    update get the same paths, so only a real change differs."""
    paths = relation_paths(ref.app, flow)
    if not paths or not flow.trigger.when or flow.trigger.on not in ("create", "update", "delete"):
        return datas
    return [{**related, **data} for related, data in
            zip(related_values(conn, ref.form, datas, paths=paths), datas, strict=True)]


def cancel_on_delete(conn: Connection, event: RecordEvent) -> None:
    """A deleted record's running flows are withdrawn (their timers then find nothing to do)."""
    if event.action != "delete":
        return
    for record_id in event.ids:
        for row in flows.of_record(conn, event.ref.app_key, event.ref.form.key, record_id):
            if row.status in ("running", "returned") and not flows.is_carrying_out(row.app, row.flow, record_id):
                flows.apply(conn, row.id, Cancel(event.change.actor.username, "记录已删除 / the record was deleted"),
                            event.change.now, event.change.timezone)


def start_on_delete(conn: Connection, event: RecordEvent) -> None:
    """A soft delete starts the form's delete flows whose `when` holds on the record's last values; runs after
    cancel_on_delete, which would otherwise withdraw what it starts."""
    if event.action != "delete":
        return
    app, form, change = event.ref.app, event.ref.form, event.change
    for flow in (f for f in app.flows if f.form == form.key and f.enabled and f.trigger.on == "delete"):
        for record_id, before in zip(event.ids, with_related(conn, event.ref, flow, event.before), strict=True):
            if not flows.is_carrying_out(app.key, flow.key, record_id) and starts_on(
                    flow, "delete", form, {**before, "id": record_id}, {}, change.now, change.timezone,
                    change.actor.username):
                flows.start(conn, app.key, flow.key, record_id, change.actor, change.now, change.timezone)


def start_by_hand(conn: Connection, app_key: str, flow_key: str, record_id: int, actor: Actor, now: datetime,
                  tz: ZoneInfo, chosen: dict[str, list[str]] | None = None) -> Any:
    """A user starts a submit flow (提交审批) or presses a button flow's button: other triggers are refused,
    a button whose `when` does not hold on the record as the user sees it is refused (naming the condition when
    it reads nothing hidden from them), and a button flow already running on the record is not started twice."""
    app, version = definitions.current(conn, app_key)
    flow = app.flow(flow_key)
    if flow.trigger.on not in ("submit", "button"):
        raise FlowStateError(f"流程“{flow.name}”不能手动发起（触发方式 {flow.trigger.on}）",
                             f"flow {flow_key!r} starts on {flow.trigger.on!r}, not by hand", field="flow")
    if flow.trigger.on == "button" and flow.enabled:
        ref = FormRef(app, version, app.form(flow.form))
        records_storage.get(conn, ref, record_id)  # 404 before the condition is read
        gate = Guard(actor, now, tz).form(conn, app_key, flow.form)
        if not button_offered(flow, ref.form, values_seen(conn, gate, record_id, [flow]), now, tz, actor.username):
            _refuse_button(gate, flow)
        if flows.running_on(conn, app_key, record_id, flow_key):
            raise FlowStateError(f"这条记录的“{flow.name}”正在进行中", f"{flow_key!r} is already running on this record",
                                 field="record_id")
    return flows.start(conn, app_key, flow_key, record_id, actor, now, tz, chosen=chosen)


def values_seen(conn: Connection, gate: FormGate, record_id: int, buttons: list[FlowDefinition]) -> dict[str, Any]:
    """The record as the gate's actor sees it, for the `when` of these button flows: what is hidden or masked
    from them is blank (runtime/permissions/seen.py), so whether a button shows or is refused tells them
    nothing else."""
    return seen_values(gate, flows.record_values(conn, gate.ref, record_id, gate.reads, read_by=buttons))


def _refuse_button(gate: FormGate, flow: FlowDefinition) -> None:
    """409 for a button whose `when` does not hold; it names the condition unless the condition reads a value
    the actor does not see (it would tell them what is hidden: the field, the threshold)."""
    label, when = flow.trigger.label, flow.trigger.when or ""
    if not reads_unseen(gate, when):
        raise FlowStateError(f"这条记录不满足“{label}”的条件：{when}",
                             f"the record does not meet the condition of {flow.key!r}: {when}",
                             field="trigger.when", condition=when)
    raise FlowStateError(f"这条记录现在不能执行“{label}”", f"{label!r} cannot be done on this record now",
                         field="trigger.when")


def buttons_of(conn: Connection, ref: FormRef, record_id: int, actor: Actor, now: datetime,
               tz: ZoneInfo) -> list[dict[str, Any]]:
    """The button flows the record page offers on this record: flow, name, label (only those whose `when`
    holds for this user now, on the record as they see it)."""
    wanted = [f for f in ref.app.flows if f.form == ref.form.key and f.enabled and f.trigger.on == "button"]
    if not wanted:
        return []
    values = values_seen(conn, Guard(actor, now, tz).form(conn, ref.app_key, ref.form.key), record_id, wanted)
    return [{"flow": f.key, "name": f.name, "label": f.trigger.label} for f in wanted
            if button_offered(f, ref.form, values, now, tz, actor.username)]


def ensure_schedules(conn: Connection, now: datetime, tz: ZoneInfo) -> None:
    """Every enabled schedule flow of every app's current version has its next run queued, and every date
    flow of it has had its timers set for the records that existed before it (once per version)."""
    for key in conn.scalars(select(apps.c.key)):
        app, version = definitions.current(conn, key)
        for flow in app.flows:
            if flow.trigger.on == "date" and flow.enabled:
                outbox.enqueue(conn, "date_backfill", {"app": key, "flow": flow.key, "version": version}, now,
                               key=f"date_backfill:{key}:{flow.key}:{version}")
            if flow.trigger.on == "schedule" and flow.enabled and flow.trigger.cron:
                prefix = f"schedule:{key}:{flow.key}:{version}:"
                if not outbox.has_pending(conn, prefix):
                    at = Cron.parse(flow.trigger.cron).next_after(now, tz)
                    outbox.enqueue(conn, "schedule", {"app": key, "flow": flow.key, "version": version}, now,
                                   run_at=at, key=f"{prefix}{at.isoformat()}")


def run_schedule(conn: Connection, payload: dict[str, Any], now: datetime, tz: ZoneInfo) -> int:
    """Start the flow on every record matching its `when` (one SQL query), or once on no record when it does not
    run `each_record`; returns how many started."""
    app, version = definitions.current(conn, payload["app"])
    if version != payload["version"] or not any(f.key == payload["flow"] for f in app.flows):
        return 0  # the app changed since: its current version queues its own schedule
    flow = app.flow(payload["flow"])
    if not flow.trigger.each_record:  # a scheduled pull: one run, on no record
        flows.start(conn, app.key, flow.key, None, SYSTEM, now, tz)
        return 1
    ref = FormRef(app, version, app.form(flow.form))
    query = select(records.c.id).where(records.c.app == app.key, records.c.form == flow.form,
                                       live()).order_by(records.c.id)
    if flow.trigger.when:
        query = query.where(filter_clause(ref, flow.trigger.when, conn.dialect.name, EvalContext(now, tz)))
    ids = list(conn.scalars(query))
    for record_id in ids:
        flows.start(conn, app.key, flow.key, record_id, SYSTEM, now, tz)
    return len(ids)


def backfill_dates(conn: Connection, payload: dict[str, Any], now: datetime, tz: ZoneInfo) -> int:
    """Set the timers of a date flow for every record of its form with a date (records written before the
    flow was published); how many were scheduled."""
    app, version = definitions.current(conn, payload["app"])
    if version != payload["version"] or not any(f.key == payload["flow"] for f in app.flows):
        return 0
    flow = app.flow(payload["flow"])
    rows = conn.execute(select(records.c.id, records.c.data).where(
        records.c.app == app.key, records.c.form == flow.form, live()).order_by(records.c.id))
    scheduled = 0
    for row in rows.all():
        if row.data.get(flow.trigger.field) is not None:
            schedule_date(conn, app.key, flow, row.id, row.data, now, tz)
            scheduled += 1
    return scheduled


def run_date_trigger(conn: Connection, payload: dict[str, Any], now: datetime, tz: ZoneInfo) -> bool:
    """Start a date-relative flow on its record (if the record and its condition still stand), and queue
    the next occurrence of a repeating one."""
    app, version = definitions.current(conn, payload["app"])
    if not any(f.key == payload["flow"] for f in app.flows):
        return False
    flow = app.flow(payload["flow"])
    ref = FormRef(app, version, app.form(flow.form))
    values = _values(conn, ref, payload["record_id"], flow)
    if values is None:
        return False
    started = condition_holds(ref.form, flow.trigger.when, values, now, tz)
    if started:
        flows.start(conn, app.key, flow.key, payload["record_id"], SYSTEM, now, tz)
    if flow.trigger.repeat:
        schedule_date(conn, app.key, flow, payload["record_id"], values, now, tz)
    return started


def _values(conn: Connection, ref: FormRef, record_id: int, flow: FlowDefinition) -> dict[str, Any] | None:
    try:
        records_storage.get(conn, ref, record_id)  # a deleted record starts nothing
    except NotFound:
        return None
    return flows.record_values(conn, ref, record_id, read_by=[flow])


__all__ = ["refuse_locked", "start_triggered", "cancel_on_delete", "start_on_delete", "start_by_hand", "buttons_of", "ensure_schedules", "run_schedule", "run_date_trigger",
           "backfill_dates", "schedule_date"]
