"""The flow designer's API: the draft's flows with their running instances, save a whole flow into the
draft, copy or remove one, change its trigger, preview a schedule's next runs, and a trial run on a record
that writes nothing. Publishing is the app's
publish (runtime/api/apps.py); running instances stay on the version they started with."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from engine.app_check import parse_app
from engine.errors import BadQuery, FlowRunning
from engine.flows import builder
from engine.flows.cron import Cron
from engine.flows.trial import trial
from engine.model_words import said
from runtime.accounts.directory import active_users, department_choices
from runtime.accounts.naming import name_people
from runtime.accounts.people import display_names
from runtime.api.apps import edit_draft
from runtime.api.deps import DB, Now, site_zone
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions
from runtime.flows import flows
from runtime.schemas.flows import (
    CopyFlowIn,
    InsertBranchIn,
    InsertStepIn,
    MoveBranchIn,
    MoveStepIn,
    TrialIn,
    trial_json,
)

router = APIRouter(prefix="/api/v1/apps/{app}/draft/flows", tags=["flow designer"])


@router.get("")
def list_designs(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The draft's flows as the designer edits them, each with its running instances per app version
    (`{"3": 2}`: two instances run on version 3) and the version now published."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        _, version = definitions.current(conn, app)
        running = flows.running_by_version(conn, app)
    return {"version": version, "items": [
        {"flow": f, "running": {str(v): n for v, n in sorted(running.get(f["key"], {}).items())},
         "running_total": sum(running.get(f["key"], {}).values())} for f in draft.get("flows", [])]}


def _edit(app: str, flow: str, request: Request, db: DB, guard: Gatekeeper, edit: Any) -> dict[str, Any]:
    """A designer edit of the whole app's draft (flows need `manage` on the app): the saved draft as JSON."""
    return edit_draft(app, request, db, guard, edit, detail={"flow": flow}).dump()


@router.put("/{flow}")
def put_flow(app: str, flow: str, definition: Annotated[dict[str, Any], Body()], request: Request, db: DB,
             guard: Gatekeeper) -> Any:
    """Save the whole flow into the draft (a new key adds it); 422 with every problem at its JSON path."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.put_flow(d, flow, definition))
    return builder.flow_of(saved, flow)


@router.post("/{flow}/copy", status_code=201)
def copy_flow(app: str, flow: str, body: CopyFlowIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """A copy under a new key, switched off."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.copy_flow(d, flow, body.key, body.name))
    return builder.flow_of(saved, body.key)


@router.delete("/{flow}", status_code=204)
def remove_flow(app: str, flow: str, request: Request, db: DB, guard: Gatekeeper) -> None:
    """Remove the flow from the draft; refused (409 `flow_running`, with the count) while instances run."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        running = sum(flows.running_by_version(conn, app).get(flow, {}).values())
    if running:
        raise FlowRunning(f"流程还有 {running} 个实例在运行，结束或撤回后才能删除",
                          f"{running} instance(s) of the flow are running: end or withdraw them first",
                          running=running)
    _edit(app, flow, request, db, guard, lambda d: builder.remove_flow(d, flow))


def _with_trigger(draft: dict[str, Any], flow: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The draft with the flow's trigger changed: `null` removes an option, the rest replace theirs."""
    found = builder.flow_of(draft, flow)
    trigger = {**(found.get("trigger") or {}), **changes}
    return builder.put_flow(draft, flow, {**found, "trigger": {k: v for k, v in trigger.items() if v is not None}})


@router.patch("/{flow}/trigger")
def update_trigger(app: str, flow: str, changes: Annotated[dict[str, Any], Body()], request: Request, db: DB,
                   guard: Gatekeeper) -> Any:
    """Change the flow's trigger (`{"on": "update", "fields": ["status"], "cron": null}`: `null` removes an
    option); 422 with the problems at `flows[i].trigger.<option>`."""
    saved = _edit(app, flow, request, db, guard, lambda d: _with_trigger(d, flow, changes))
    return builder.flow_of(saved, flow)


@router.get("/{flow}/trigger/next-runs")
def next_runs(app: str, flow: str, cron: str, request: Request, db: DB, guard: Gatekeeper, now: Now,
              count: Annotated[int, Query(ge=1, le=10)] = 3) -> Any:
    """The next `count` times a schedule `cron` fires after now, in the server's time zone (what the
    designer shows under 定时); 400 naming the cron's mistake."""
    with db.read() as conn:
        guard.require_manage(conn, app)
    tz = site_zone(request)
    try:
        schedule = Cron.parse(cron)
        moments = [schedule.next_after(now, tz)]
        while len(moments) < count:
            moments.append(schedule.next_after(moments[-1], tz))
    except ValueError as e:
        zh, en = said(e)
        raise BadQuery(f"定时表达式无效：{zh}", f"invalid cron: {en}", field="cron") from e
    return {"cron": cron, "timezone": str(tz), "runs": [m.isoformat() for m in moments]}


# The canvas's small edits: each changes one step or branch of the draft's flow, named by its path
# (`steps[1].branches[0].steps[2]`), and answers with the whole flow as saved.

@router.post("/{flow}/steps", status_code=201)
def insert_step(app: str, flow: str, body: InsertStepIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Insert a step at `at` (a path whose index may be one past the end of its sequence)."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.insert_step(d, flow, body.at, body.step))
    return builder.flow_of(saved, flow)


@router.patch("/{flow}/steps")
def update_step(app: str, flow: str, path: str, changes: Annotated[dict[str, Any], Body()], request: Request,
                db: DB, guard: Gatekeeper) -> Any:
    """Change options of the step at `?path=` (`null` removes one)."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.update_step(d, flow, path, changes))
    return builder.flow_of(saved, flow)


@router.post("/{flow}/steps/move")
def move_step(app: str, flow: str, body: MoveStepIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Move the step at `path` (with its branches) to the position `to`, both named before the move."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.move_step(d, flow, body.path, body.to))
    return builder.flow_of(saved, flow)


@router.delete("/{flow}/steps")
def remove_step(app: str, flow: str, path: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Remove the step at `?path=` with its branches."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.remove_step(d, flow, path))
    return builder.flow_of(saved, flow)


@router.post("/{flow}/branches", status_code=201)
def insert_branch(app: str, flow: str, body: InsertBranchIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Add a branch to the condition or parallel step at `path` (before the default branch by default)."""
    saved = _edit(app, flow, request, db, guard,
                  lambda d: builder.insert_branch(d, flow, body.path, body.branch, body.position))
    return builder.flow_of(saved, flow)


@router.delete("/{flow}/branches")
def remove_branch(app: str, flow: str, path: str, index: int, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Remove branch `?index=` of the step at `?path=`."""
    saved = _edit(app, flow, request, db, guard, lambda d: builder.remove_branch(d, flow, path, index))
    return builder.flow_of(saved, flow)


@router.post("/{flow}/trial")
def trial_run(app: str, flow: str, body: TrialIn, request: Request, db: DB, guard: Gatekeeper, now: Now) -> Any:
    """试运行: the path the flow (the draft's, or `definition` as the designer holds it) would take on the
    record and who would be asked (`people`: their display names) — nothing is written."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        candidate = parse_app(builder.put_flow(draft, flow, body.definition) if body.definition is not None else draft)
        found = candidate.flow(flow)
        gate = guard.form(conn, app, found.form, "read")
        gate.require_record(body.record_id, "read")
        sees_all = not (gate.hidden or gate.masked)
        _, version = definitions.current(conn, app)
        ctx = flows.context(conn, candidate, version, found, body.record_id, site_zone(request))
        result = trial(found, ctx, guard.actor.username or "system", now)
        answer = name_people(conn, trial_json(result, values=sees_all))
        answer["people"] = display_names(conn, {u for users in result.asked.values() for u in users})
    return answer


@router.post("/{flow}/branches/move")
def move_branch(app: str, flow: str, body: MoveBranchIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Move branch `branch` of the step at `path` (with its steps) to position `to` among the branches of the
    step at `to_path` (the same step when left out); paths and positions are named before the move."""
    saved = _edit(app, flow, request, db, guard,
                  lambda d: builder.move_branch(d, flow, body.path, body.branch, body.to, body.to_path))
    return builder.flow_of(saved, flow)


@router.get("/{flow}/choices")
def panel_choices(app: str, flow: str, db: DB, guard: Gatekeeper) -> Any:
    """What the step panels offer to pick: active users, departments, the draft's roles, and every form of
    the draft with its fields (the flow's own form first: field pickers; the others: 新建记录's mapping)."""
    with db.read() as conn:
        guard.require_manage(conn, app)
        draft = definitions.draft(conn, app)
        users = active_users(conn)
        departments = department_choices(conn)
    definition = parse_app(draft)
    own = definition.flow(flow).form
    forms = sorted(definition.forms, key=lambda f: f.key != own)
    return {"users": [{"username": u, "name": name or u} for u, name in users],
            "departments": [{"key": k, "name": name} for k, name in departments],
            "roles": [{"key": r.key, "name": r.name} for r in definition.roles],
            "forms": [{"key": f.key, "name": f.name, "fields": [_field_choice(x) for x in f.fields],
                       "duplicate_rules": [r.name for r in f.duplicate_rules]} for f in forms]}


def _field_choice(field: Any) -> dict[str, Any]:
    """A field as the panels pick it; `matchable`: 新建记录 may find an existing record by it (equality in
    SQL: not lists or objects); a relation's `target` form (新建记录's `link` back to what it made)."""
    return {"key": field.key, "label": field.label, "type": field.type, "computed": field.computed,
            "matchable": field.storage_kind() != "json", **({"target": field.target} if field.type == "relation" else {})}

