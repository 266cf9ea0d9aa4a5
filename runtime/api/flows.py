"""Flow instances: start one on a record (提交审批), read it with its timeline, withdraw or resubmit it,
list a record's flows; the inbound webhook that starts a webhook-triggered flow."""

from __future__ import annotations

import hmac
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request

from engine.errors import BadQuery, Forbidden, NotFound, Unauthorized
from engine.flows.events import Cancel, Start
from runtime.accounts.naming import name_people
from runtime.api.deps import DB, CurrentUser, Id, IdQuery, Now, site_zone
from runtime.api.errors import language
from runtime.api.guard import NO_RECORDS, Gatekeeper
from runtime.apps import definitions
from runtime.flows import flow_triggers, flows
from runtime.permissions.approvers import require_instance, require_record
from runtime.permissions.definitions import manages, readable_forms
from runtime.records import records
from runtime.records.context import SYSTEM, Change, FormRef
from runtime.schemas.flows import CommentIn, StartIn, instance_json

router = APIRouter(prefix="/api/v1", tags=["flows"])


def _detail(conn: Any, row: Any, request: Request) -> dict[str, Any]:
    return name_people(conn, instance_json(row, flows.tasks_of(conn, None, None, instance_id=row.id),
                                           lang=language(request)))


@router.get("/apps/{app}/flows")
def list_flows(app: str, db: DB, guard: Gatekeeper) -> Any:
    """The app's flows: key, name, form and trigger (404 for a user with no role in the app). Who does not
    manage the app sees only the flows of forms they have a right on, and of the trigger only `on`
    (its condition and fields may name what is hidden from them; docs/security.md)."""
    with db.read() as conn:
        if not guard.app_visible(conn, app):
            raise NotFound(f"应用 {app} 不存在", f"no app {app!r}")
        definition, _ = definitions.current(conn, app)
        seen = None if manages(conn, guard, app) else readable_forms(conn, guard, definition)
    return {"items": [{"key": f.key, "name": f.name, "form": f.form, "enabled": f.enabled,
                       "trigger": f.trigger.model_dump(exclude_none=True, exclude={"token"}) if seen is None
                       else {"on": f.trigger.on}} for f in definition.flows if seen is None or f.form in seen]}


@router.post("/apps/{app}/flows/{flow}/instances", status_code=201)
def start_instance(app: str, flow: str, body: StartIn, request: Request, db: DB, guard: Gatekeeper, now: Now) -> Any:
    """Submit a record to a flow (a submit flow), or press a button flow's button: 201 with the instance.
    The submitter must be able to read the record (404 otherwise); other triggers are refused (409), and
    so is a button whose `when` does not hold on the record as the caller sees it (409; the condition named
    when it reads nothing hidden from them: docs/permissions.md). `chosen` (发起人自选): step key or path ->
    the usernames the submitter picks for it (422 at `chosen.<step>` for a step that does not ask, or a user
    who is not active)."""
    with db.write() as conn:
        definition, _ = definitions.current(conn, app)
        found = next((f for f in definition.flows if f.key == flow), None)
        if found is not None:
            require_record(conn, guard, app, found.form, body.record_id)
        row = flow_triggers.start_by_hand(conn, app, flow, body.record_id, guard.actor, now,
                                          site_zone(request), body.chosen)
        return _detail(conn, row, request)


@router.get("/apps/{app}/forms/{form}/records/{record_id}/flow-buttons")
def flow_buttons(app: str, form: str, record_id: Id, request: Request, db: DB, guard: Gatekeeper, now: Now) -> Any:
    """The buttons of button-triggered flows the record page offers on this record (those whose `when`
    holds on the record as the caller sees it: hidden and masked values blank): `[{flow, name, label}]`;
    pressing one is `POST …/flows/{flow}/instances`."""
    with db.read() as conn:
        require_record(conn, guard, app, form, record_id)
        definition, version = definitions.current(conn, app)
        ref = FormRef(definition, version, definition.form(form))
        return {"items": flow_triggers.buttons_of(conn, ref, record_id, guard.actor, now, site_zone(request))}


InstanceStatus = Literal["running", "returned", "approved", "completed", "rejected", "cancelled", "failed"]


@router.get("/flow-instances", dependencies=[NO_RECORDS])  # instance rows name records, never their data
def list_instances(request: Request, db: DB, user: CurrentUser, submitter: str = "me",
                   status: Annotated[list[InstanceStatus] | None, Query()] = None, app: str | None = None,
                   flow: str | None = None, before: IdQuery = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """我发起的: my instances (`submitter=me`, the default), newest first; administrators may name another
    submitter or `submitter=all`. Without tasks and timeline (read one instance for those)."""
    who = user.username if submitter == "me" else None if submitter == "all" else submitter
    if who != user.username and not user.is_admin:
        raise BadQuery("只能查看自己发起的流程", "you can only list the instances you submitted", field="submitter")
    with db.read() as conn:
        rows = flows.list_instances(conn, submitter=who, statuses=list(status or []), app=app, flow=flow,
                                    before=before, limit=limit)
        items = name_people(conn, [{k: v for k, v in instance_json(r, lang=language(request)).items()
                                    if k != "timeline"} for r in rows])
    return {"items": items, "next_before": rows[-1].id if len(rows) == limit else None}


@router.get("/flow-instances/{instance_id}")
def get_instance(instance_id: Id, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """status, tasks and the timeline: who decided what, when, with which comment; which branch and why.
    For the submitter, administrators and whoever may read the record (404 for anyone else)."""
    with db.read() as conn:
        row = flows.get(conn, instance_id)
        require_instance(conn, guard, row)
        return _detail(conn, row, request)


def _own(row: Any, user: Any) -> None:
    if row.submitter != user.username and not user.is_admin:
        raise Forbidden("只有发起人或管理员可以操作", "only the submitter or an administrator can do this")


@router.post("/flow-instances/{instance_id}/cancel")
def cancel_instance(instance_id: Id, request: Request, db: DB, guard: Gatekeeper, now: Now,
                    body: Annotated[CommentIn | None, Body()] = None) -> Any:
    """Withdraw (撤回) a running or returned instance: its open tasks are cancelled."""
    user = guard.actor
    with db.write() as conn:
        found = flows.get(conn, instance_id)
        require_instance(conn, guard, found)
        _own(found, user)
        row = flows.apply(conn, instance_id, Cancel(user.username, body.comment if body else None), now,
                          site_zone(request))
        return _detail(conn, row, request)


@router.post("/flow-instances/{instance_id}/resubmit")
def resubmit_instance(instance_id: Id, request: Request, db: DB, guard: Gatekeeper, now: Now) -> Any:
    """Submit a returned instance again: it starts over from its first step."""
    user = guard.actor
    with db.write() as conn:
        found = flows.get(conn, instance_id)
        require_instance(conn, guard, found)
        _own(found, user)
        row = flows.apply(conn, instance_id, Start(user.username), now, site_zone(request))
        return _detail(conn, row, request)


@router.get("/apps/{app}/forms/{form}/records/{record_id}/flows")
def record_flows(app: str, form: str, record_id: Id, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Every flow instance of a record, oldest first, each with its tasks and timeline (for whoever may
    read the record)."""
    with db.read() as conn:
        require_record(conn, guard, app, form, record_id)
        return {"items": [_detail(conn, row, request) for row in flows.of_record(conn, app, form, record_id)]}


def start_by_webhook(app: str, flow: str, data: Any, request: Request, db: Any, now: Any, given: str) -> Any:
    """Start a webhook-triggered flow: the JSON becomes a record of the flow's form, and the flow runs on it.
    The token is the trigger's `token`, sent as `X-Tangram-Token` or `?token=`. `POST /api/v1/hooks/{app}/{key}`
    comes here when the app has no inbound hook of that key (runtime/api/hooks.py)."""
    tz = site_zone(request)
    with db.write() as conn:
        definition, version = definitions.current(conn, app)
        found = next((f for f in definition.flows if f.key == flow and f.trigger.on == "webhook"), None)
        if found is None:
            raise NotFound(f"没有 Webhook 流程 {flow}", f"no webhook flow {flow!r}")
        if not found.trigger.token or not hmac.compare_digest(given.encode(), found.trigger.token.encode()):
            raise Unauthorized("Webhook 令牌无效", "the webhook token is missing or wrong")
        if not isinstance(data, dict):
            raise BadQuery("请求体应为 JSON 对象", "the body must be a JSON object")
        ref = FormRef(definition, version, definition.form(found.form))
        record = records.create(conn, ref, data, Change(SYSTEM, now, tz, limits=request.app.state.limits))
        row = flows.start(conn, app, flow, record.id, SYSTEM, now, tz)
        return {"record_id": record.id, **_detail(conn, row, request)}
