"""Flow instances and their tasks: start an instance on a record, apply an event, persist the new state
and carry out its effects — all in the caller's transaction, so a record change, the flow state it causes,
its tasks and its outbox jobs commit together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Row, func, insert, select, update

from engine.app import AppDefinition
from engine.errors import EngineError, FlowStateError, Issue, NotAssignee, NotFound, ValidationFailed
from engine.flows.chosen import chosen_by_path
from engine.flows.events import Event, Start
from engine.flows.machine import Outcome, advance, fail
from engine.flows.model import FlowDefinition
from engine.flows.reads import relation_paths
from engine.flows.run import FlowContext
from engine.flows.state import FINAL, Entry, FlowInstanceState
from engine.flows.steps import approval
from engine.flows.tree import walk_steps
from runtime.accounts.org import load_org
from runtime.apps import definitions
from runtime.db.tables import flow_instances, flow_tasks, users
from runtime.db.tables import messages as messages_table
from runtime.flows.messages import step_messages
from runtime.records import records
from runtime.records.context import Actor, FormRef, Readable
from runtime.records.derived import related_values
from runtime.system_settings import store as system_settings

_running: ContextVar[tuple[tuple[str, str, int | None], ...]] = ContextVar("tangram_running_flows", default=())
"""The flows carrying out effects on this call stack: their own record writes pass the approval lock and
do not start themselves again (a flow that updates its record must not loop)."""

MAX_DEPTH = 5


@contextmanager
def carrying_out(app: str, flow: str, record_id: int | None) -> Any:
    stack = _running.get()
    if len(stack) >= MAX_DEPTH:
        raise FlowStateError("流程相互触发的层数过多", f"flows triggered each other more than {MAX_DEPTH} deep")
    token = _running.set((*stack, (app, flow, record_id)))
    try:
        yield
    finally:
        _running.reset(token)


def is_carrying_out(app: str, flow: str | None = None, record_id: int | None = None) -> bool:
    return any(a == app and (flow is None or f == flow) and (record_id is None or r == record_id)
               for a, f, r in _running.get())


def get(conn: Connection, instance_id: int, *, lock: bool = False) -> Row[Any]:
    query = select(flow_instances).where(flow_instances.c.id == instance_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"没有流程实例 {instance_id}", f"no flow instance {instance_id}")
    return row


def state_of(row: Row[Any]) -> FlowInstanceState:
    return FlowInstanceState.model_validate(row.state)


def record_values(conn: Connection, ref: FormRef, record_id: int | None, reads: Readable | None = None, *,
                  read_by: Iterable[FlowDefinition] = ()) -> dict[str, Any]:
    """The record as the expressions of the flows `read_by` read it: data, the fields through relations they
    read (with `reads`, only of the related records a user may read), system columns."""
    if record_id is None:
        return {}
    try:
        row = records.get(conn, ref, record_id)
    except NotFound:  # deleted meanwhile: the flow still reads what it had (and is withdrawn)
        row = records.get(conn, ref, record_id, deleted=True)
    related = related_values(conn, ref.form, [row.data], reads, paths=relation_paths(ref.app, *read_by))[0]
    system = {"id": row.id, "owner": row.owner, "created_by": row.created_by, "updated_by": row.updated_by,
              "created_at": row.created_at.isoformat(), "updated_at": row.updated_at.isoformat(),
              "version": row.version}
    return {**related, **system, **row.data}


def context(conn: Connection, app: AppDefinition, version: int, flow: FlowDefinition, record_id: int | None,
            tz: ZoneInfo) -> FlowContext:
    form = app.form(flow.form)
    values = record_values(conn, FormRef(app, version, form), record_id, read_by=[flow])
    calendar = app.calendar or system_settings.site_calendar(conn)  # an app's own calendar, else 系统设置's
    return FlowContext(values, lambda: load_org(conn, app.key), form, tz, calendar, record_id, app.forms_by_key)


def _sync_tasks(conn: Connection, row: Row[Any], before: FlowInstanceState, after: FlowInstanceState) -> None:
    """Mirror the state's tasks into flow_tasks from the difference of the two states (no read needed): new
    keys are inserted — once, the key is unique per instance — and changed ones updated."""
    new = []
    for task in after.tasks.values():
        values = {"status": task.status, "comment": task.comment, "decided_at": task.decided_at,
                  "decided_by": task.decided_by}
        old = before.tasks.get(task.key)
        if old is None:
            new.append({"instance_id": row.id, "key": task.key, "kind": "approval", "step": task.step,
                        "step_name": task.step_name, "assignee": task.assignee, "app": row.app, "form": row.form,
                        "record_id": row.record_id, "created_at": task.created_at, "due_at": task.due_at, **values})
        elif old.status != task.status:
            conn.execute(update(flow_tasks).where(flow_tasks.c.instance_id == row.id, flow_tasks.c.key == task.key)
                         .values(**values))
    if new:
        conn.execute(insert(flow_tasks), new)


def _save(conn: Connection, row: Row[Any], flow: FlowDefinition, before: FlowInstanceState, outcome: Outcome,
          now: datetime) -> Row[Any]:
    state = outcome.state
    saved = conn.execute(update(flow_instances).where(flow_instances.c.id == row.id).values(
        status=state.status, submitter=state.submitter, state=state.model_dump(mode="json"), updated_at=now,
        locks_record=flow.lock_record and state.status == "running" and state.has_open_approval,
        ended_at=now if state.status in FINAL else None).returning(*flow_instances.c)).one()
    _sync_tasks(conn, row, before, state)
    return saved


def apply(conn: Connection, instance_id: int, event: Event, now: datetime, tz: ZoneInfo) -> Row[Any]:
    """Apply one event to an instance (row-locked on PostgreSQL; SQLite writers are serialised) and carry
    out what it causes. Refusals (a task already decided, a finished instance) raise before any write."""
    from runtime.flows.flow_effects import carry_out  # effects start flows too: imported late

    row = get(conn, instance_id, lock=True)
    app = definitions.version_of(conn, row.app, row.def_version)
    flow = app.flow(row.flow)
    before = state_of(row)
    outcome = advance(flow, before, event, now, context(conn, app, row.def_version, flow, row.record_id, tz))
    if not outcome.changed:
        return row
    saved = _save(conn, row, flow, before, outcome, now)
    try:
        with conn.begin_nested(), carrying_out(row.app, row.flow, row.record_id):
            carry_out(conn, saved, app, flow, outcome, now, tz, base=len(before.timeline))
    except EngineError as e:  # a record the flow writes refuses the values: the flow fails, the request does not
        failed = fail(flow, outcome.state, now, f"执行失败：{e.message}", f"failed: {e.message_en or e.message}")
        saved = _save(conn, saved, flow, outcome.state, failed, now)
    return saved


def start(conn: Connection, app_key: str, flow_key: str, record_id: int | None, actor: Actor, now: datetime,
          tz: ZoneInfo, *, only_trigger: str | None = None, chosen: dict[str, list[str]] | None = None) -> Row[Any]:
    """Start a flow of the app's current version on a record. A submit flow runs once at a time per record.
    `chosen` (发起人自选): step key or path -> the active users the submitter picked for it."""
    app, version = definitions.current(conn, app_key)
    flow = app.flow(flow_key)
    picks = _picks(conn, flow, chosen) if chosen else None
    if only_trigger and flow.trigger.on != only_trigger:
        raise FlowStateError(f"流程“{flow.name}”不能手动发起（触发方式 {flow.trigger.on}）",
                             f"flow {flow_key!r} starts on {flow.trigger.on!r}, not by submitting", field="flow")
    if not flow.enabled:
        raise FlowStateError(f"流程“{flow.name}”已停用", f"flow {flow_key!r} is disabled", field="flow")
    if record_id is not None:
        # a delete flow starts on the record its delete just removed
        records.get(conn, FormRef(app, version, app.form(flow.form)), record_id, lock=True,
                    deleted=flow.trigger.on == "delete")
        if flow.trigger.on == "submit" and running_on(conn, app_key, record_id, flow_key):
            raise FlowStateError(f"这条记录的“{flow.name}”正在进行中", f"{flow_key!r} is already running on this record",
                                 field="record_id")
    instance_id = conn.scalar(insert(flow_instances).values(
        app=app_key, flow=flow_key, def_version=version, form=flow.form, record_id=record_id, status="new",
        submitter=actor.username, locks_record=False, state=FlowInstanceState().model_dump(mode="json"),
        created_at=now, updated_at=now).returning(flow_instances.c.id))
    return apply(conn, instance_id, Start(actor.username, picks), now, tz)


def _picks(conn: Connection, flow: FlowDefinition, chosen: dict[str, list[str]]) -> dict[str, list[str]]:
    """The submitter's picks by step path, each an active user; refused whole (422 at `chosen.<step>`) otherwise."""
    picks = chosen_by_path(flow, chosen)
    named = {u for people in chosen.values() for u in people}
    known = set(conn.scalars(select(users.c.username).where(users.c.username.in_(named), users.c.active.is_(True))))
    issues = [Issue(f"chosen.{name}", "unknown_user", f"用户 {u} 不存在或已停用", f"no active user {u!r}")
              for name, people in chosen.items() for u in people if u not in known]
    if issues:
        raise ValidationFailed(f"有 {len(issues)} 处错误", f"{len(issues)} problem(s)", issues=issues)
    return picks


def running_by_version(conn: Connection, app: str) -> dict[str, dict[int, int]]:
    """Flow key → app version → how many of its instances are running (or returned for changes)."""
    rows = conn.execute(select(flow_instances.c.flow, flow_instances.c.def_version, func.count())
                        .where(flow_instances.c.app == app, flow_instances.c.status.in_(("running", "returned")))
                        .group_by(flow_instances.c.flow, flow_instances.c.def_version))
    found: dict[str, dict[int, int]] = {}
    for flow, version, count in rows:
        found.setdefault(flow, {})[int(version)] = int(count)
    return found


def running_on(conn: Connection, app: str, record_id: int, flow: str | None = None) -> bool:
    query = select(flow_instances.c.id).where(flow_instances.c.app == app, flow_instances.c.record_id == record_id,
                                              flow_instances.c.status.in_(("running", "returned")))
    if flow:
        query = query.where(flow_instances.c.flow == flow)
    return conn.scalar(query.limit(1)) is not None


def locked(conn: Connection, app: str, record_ids: list[int]) -> Row[Any] | None:
    """A running instance that holds one of these records read-only, if any."""
    return conn.execute(select(flow_instances.c.id, flow_instances.c.flow).where(
        flow_instances.c.app == app, flow_instances.c.record_id.in_(record_ids), flow_instances.c.locks_record.is_(True),
        flow_instances.c.status == "running").limit(1)).first()


def editable_under_approval(conn: Connection, app: str, record_ids: list[int], username: str) -> set[str]:
    """The fields of these records `username` may change while they are locked: those every instance holding
    one of them lets its open approval tasks of theirs edit (`editable_fields`); empty for anyone else."""
    rows = conn.execute(select(flow_instances).where(
        flow_instances.c.app == app, flow_instances.c.record_id.in_(record_ids), flow_instances.c.locks_record.is_(True),
        flow_instances.c.status == "running"))
    allowed: set[str] | None = None
    for row in rows:
        flow = definitions.version_of(conn, row.app, row.def_version).flow(row.flow)
        fields = approval.editable_by(flow, state_of(row), username)
        allowed = fields if allowed is None else allowed & fields
    return allowed or set()


def of_record(conn: Connection, app: str, form: str, record_id: int) -> list[Row[Any]]:
    return list(conn.execute(select(flow_instances).where(
        flow_instances.c.app == app, flow_instances.c.form == form, flow_instances.c.record_id == record_id)
        .order_by(flow_instances.c.id)))


def list_instances(conn: Connection, *, submitter: str | None = None, statuses: list[str] | None = None,
                   app: str | None = None, flow: str | None = None, before: int | None = None,
                   limit: int = 50) -> list[Row[Any]]:
    """Instances newest first (keyset on id), filtered by submitter, status, app and flow."""
    query = select(flow_instances).order_by(flow_instances.c.id.desc()).limit(limit)
    for column, value in ((flow_instances.c.submitter, submitter), (flow_instances.c.app, app),
                          (flow_instances.c.flow, flow)):
        if value is not None:
            query = query.where(column == value)
    if statuses:
        query = query.where(flow_instances.c.status.in_(statuses))
    if before is not None:
        query = query.where(flow_instances.c.id < before)
    return list(conn.execute(query))


def task(conn: Connection, task_id: int) -> Row[Any]:
    row = conn.execute(select(flow_tasks).where(flow_tasks.c.id == task_id)).first()
    if row is None:
        raise NotFound(f"没有任务 {task_id}", f"no task {task_id}")
    return row


def tasks_of(conn: Connection, assignee: str | None, statuses: list[str] | None, *, instance_id: int | None = None,
             limit: int = 100) -> list[Row[Any]]:
    query = select(flow_tasks).order_by(flow_tasks.c.id).limit(limit)
    if assignee is not None:
        query = query.where(flow_tasks.c.assignee == assignee)
    if statuses:
        query = query.where(flow_tasks.c.status.in_(statuses))
    if instance_id is not None:
        query = query.where(flow_tasks.c.instance_id == instance_id)
    return list(conn.execute(query))


def approval_flows(app: AppDefinition, form: str) -> list[str]:
    """The keys of the form's flows that ask someone to approve: their instances are a record's approval
    status (审批中, 已通过 …); automations are not."""
    return [f.key for f in app.flows if f.form == form
            and any(getattr(step, "type", None) == "approval" for _, step in walk_steps(f.steps))]


def latest_of_records(conn: Connection, app: str, form: str, record_ids: list[int],
                      flow_keys: list[str]) -> dict[int, Row[Any]]:
    """Record id → its newest instance (id, flow, status) among these flows: one query for a whole page of
    records (the approval badge of a list), whatever the page size."""
    if not record_ids or not flow_keys:
        return {}
    mine = (flow_instances.c.app == app, flow_instances.c.form == form, flow_instances.c.record_id.in_(record_ids),
            flow_instances.c.flow.in_(flow_keys))
    newest = select(func.max(flow_instances.c.id)).where(*mine).group_by(flow_instances.c.record_id)
    rows = conn.execute(select(flow_instances.c.id, flow_instances.c.record_id, flow_instances.c.flow,
                               flow_instances.c.status).where(flow_instances.c.id.in_(newest)))
    return {int(r.record_id): r for r in rows}


def open_task_count(conn: Connection, username: str) -> int:
    """How many tasks wait for this user (the top bar's 待办 count): one indexed count."""
    return int(conn.scalar(select(func.count()).select_from(flow_tasks).where(
        flow_tasks.c.assignee == username, flow_tasks.c.status == "open")) or 0)


def find_tasks(conn: Connection, *, assignee: str | None = None, decided_by: str | None = None,
               statuses: list[str] | None = None, app: str | None = None, flow: str | None = None,
               before: int | None = None, limit: int = 100) -> list[Row[Any]]:
    """Tasks newest first (keyset on id) with their flow's key and submitter: the inbox's 待我处理
    (assignee, open) and 我已处理 (decided_by), filtered by app and flow."""
    query = _task_filters(select(flow_tasks, flow_instances.c.flow, flow_instances.c.submitter)
                          .join(flow_instances, flow_instances.c.id == flow_tasks.c.instance_id),
                          assignee=assignee, decided_by=decided_by, statuses=statuses, app=app, flow=flow)
    if before is not None:
        query = query.where(flow_tasks.c.id < before)
    return list(conn.execute(query.order_by(flow_tasks.c.id.desc()).limit(limit)))


def count_tasks(conn: Connection, *, assignee: str | None = None, decided_by: str | None = None,
                statuses: list[str] | None = None, app: str | None = None, flow: str | None = None) -> int:
    """How many tasks find_tasks pages through (an inbox tab's total under its filters)."""
    counted = select(func.count()).select_from(flow_tasks)
    if flow is not None:  # only the flow filter needs the instances (the count stays on flow_tasks' indexes)
        counted = counted.join(flow_instances, flow_instances.c.id == flow_tasks.c.instance_id)
    return int(conn.scalar(_task_filters(counted, assignee=assignee, decided_by=decided_by, statuses=statuses,
                                         app=app, flow=flow)) or 0)


def _task_filters(query: Any, *, assignee: str | None, decided_by: str | None, statuses: list[str] | None,
                  app: str | None, flow: str | None) -> Any:
    for column, value in ((flow_tasks.c.assignee, assignee), (flow_tasks.c.decided_by, decided_by),
                          (flow_tasks.c.app, app), (flow_instances.c.flow, flow)):
        if value is not None:
            query = query.where(column == value)
    if statuses:
        query = query.where(flow_tasks.c.status.in_(statuses))
    return query


def copied_to(conn: Connection, username: str, *, app: str | None = None, flow: str | None = None,
              before: int | None = None,
              limit: int = 50) -> tuple[list[tuple[Row[Any], Entry, dict[str, str] | None]], int | None]:
    """抄送我: (instance, its timeline entry, the message it sent this user) for each cc / notify step that
    named this user, newest instance first (keyset on the instance id), and the `before` of the next page
    (None on the last). The in-app messages say which instances wrote to the user; their timelines say which
    of those were a cc (an approval's own notices — 待审批, 已退回 — are not). The message, `{title, body}`,
    is the in-app one that step sent at that moment (None for e-mail or one sent before messages named their
    step). An instance's entries stay on one page."""
    mentioned = select(messages_table.c.instance_id).where(
        messages_table.c.username == username, messages_table.c.instance_id.is_not(None))
    query = select(flow_instances).where(flow_instances.c.id.in_(mentioned)).order_by(flow_instances.c.id.desc())
    for column, value in ((flow_instances.c.app, app), (flow_instances.c.flow, flow)):
        if value is not None:
            query = query.where(column == value)
    found: list[tuple[Row[Any], Entry]] = []
    cursor, chunk, after = before, limit * 2, None
    while True:
        rows = list(conn.execute((query if cursor is None else query.where(flow_instances.c.id < cursor)).limit(chunk)))
        for row in rows:
            cursor = row.id
            found.extend((row, entry) for entry in reversed(state_of(row).timeline)
                         if entry.kind == "notified" and username in ((entry.detail or {}).get("users") or []))
            if len(found) >= limit:
                after = cursor  # the next page starts below this instance (it may turn out empty)
                break
        if after is not None or len(rows) < chunk:
            break
    sent = step_messages(conn, username, {row.id for row, _ in found})
    return [(row, entry, sent.get((row.id, entry.step or "", entry.at))) for row, entry in found], after


def task_actions(conn: Connection, rows: list[Row[Any]]) -> list[list[str]]:
    """What each task's assignee may do with it now: nothing once decided, `complete` for a to-do, and for
    an approval what its step allows (the definition version its instance runs on decides)."""
    wanted = {r.instance_id for r in rows if r.status == "open" and r.kind == "approval"}
    instances = {i.id: i for i in conn.execute(select(
        flow_instances.c.id, flow_instances.c.app, flow_instances.c.flow, flow_instances.c.def_version)
        .where(flow_instances.c.id.in_(wanted)))} if wanted else {}
    found = []
    for row in rows:
        if row.status != "open":
            found.append([])
        elif row.kind == "todo":
            found.append(["complete"])
        else:
            inst = instances[row.instance_id]
            flow = definitions.version_of(conn, inst.app, inst.def_version).flow(inst.flow)
            found.append(approval.task_actions(flow, row.step))
    return found


def complete_todo(conn: Connection, task_id: int, username: str, comment: str | None, now: datetime) -> Row[Any]:
    """Mark a to-do done (only its assignee can)."""
    row = task(conn, task_id)
    if row.kind != "todo":
        raise FlowStateError("审批任务请用 approve / reject 处理", "approval tasks are decided, not completed")
    if row.assignee != username:
        raise NotAssignee(f"这个任务由 {row.assignee} 处理", f"the task is assigned to {row.assignee}")
    if row.status != "open":
        raise FlowStateError(f"任务已处理（{row.status}）", f"the task is already {row.status}")
    conn.execute(update(flow_tasks).where(flow_tasks.c.id == task_id).values(
        status="done", comment=comment, decided_at=now, decided_by=username))
    return task(conn, task_id)


__all__ = ["start", "apply", "get", "list_instances", "state_of", "of_record", "task", "tasks_of", "locked", "running_on",
           "running_by_version",
           "carrying_out", "is_carrying_out", "complete_todo", "context", "approval_flows", "latest_of_records", "open_task_count",
           "find_tasks", "count_tasks", "copied_to", "task_actions", "editable_under_approval"]
