"""The administrator's view of one flow (运行记录): its instances by status and version with how many are in
each status, where each one waits, its timeline, the jobs it caused (webhooks, e-mail, robots, timers) with
every delivery attempt and the start of each answer, and a retry of a failed job.

For the app's managers and administrators only (403 for a member of the app, 404 for anyone else). What a
job sent is not shown — its body is made of record values the manager may not see — only where it went
(without the query string, which may carry a robot's access token) and what came back; nor are the
timeline's details to a manager who may not read the record with every field in full."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from sqlalchemy import Connection, Row

from engine.app import AppDefinition
from engine.errors import Forbidden, NotFound
from engine.flows.model import FlowDefinition
from engine.secrets import url_target
from runtime import audit
from runtime.accounts.naming import name_people
from runtime.api.deps import DB, Id, IdQuery, Now
from runtime.api.errors import language
from runtime.api.guard import Gatekeeper
from runtime.apps import definitions
from runtime.flows import flows, instance_admin
from runtime.jobs import outbox
from runtime.permissions.check import Guard
from runtime.records.titles import titles
from runtime.schemas.flows import task_json, timeline_json

router = APIRouter(prefix="/api/v1/apps/{app}/flows/{flow}", tags=["flow admin"])

Status = Literal["new", "running", "returned", "approved", "completed", "rejected", "cancelled", "failed"]
FAILING = ("failed", "dead")


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _named(definition: AppDefinition, flow: str) -> FlowDefinition | None:
    return next((f for f in definition.flows if f.key == flow), None)


def _flow(conn: Connection, guard: Guard, app: str, flow: str) -> AppDefinition:
    """The app's current definition, once the actor is known to manage the app and the flow to exist
    (in the current version, or in an older one that still has instances)."""
    guard.require_manage(conn, app)
    definition, _ = definitions.current(conn, app)
    if _named(definition, flow) is None and not instance_admin.versions(conn, app, flow):
        raise NotFound(f"没有流程 {flow}", f"no flow {flow!r}")
    return definition


def _titles(conn: Connection, guard: Guard, app: AppDefinition, form: str, ids: set[int]) -> dict[int, str]:
    """Record titles as the actor may read them (`#id` for a record or a title field they may not see)."""
    names = titles(conn, app, ids)
    names |= {i: f"#{i}" for i in ids - names.keys()}  # purged since
    try:
        gate = guard.form(conn, app.key, form)
    except NotFound:
        return {i: f"#{i}" for i in ids}
    return gate.titles_on(conn, form, names)


def _waits(row: Row[Any]) -> list[dict[str, Any]]:
    return [{**w, "since": _moment(w["since"]), "due_at": _moment(w["due_at"])} for w in instance_admin.waits(row)]


def _instance(row: Row[Any], title: str | None, failing: int) -> dict[str, Any]:
    return {"id": row.id, "form": row.form, "record_id": row.record_id, "record_title": title, "status": row.status,
            "submitter": row.submitter, "def_version": row.def_version, "created_at": _moment(row.created_at),
            "updated_at": _moment(row.updated_at), "ended_at": _moment(row.ended_at), "waiting": _waits(row),
            "failed_jobs": failing}


@router.get("/instances")
def list_instances(app: str, flow: str, db: DB, guard: Gatekeeper,
                   status: Annotated[list[Status] | None, Query()] = None,
                   version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None, before: IdQuery = None,
                   limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
    """The flow's instances newest first, filtered by `status` (repeatable) and app `version`; `before=<id>`
    (the answer's `next_before`) for the next page. `counts`: per status over the whole flow (on `version`
    when given), whatever the status filter; `versions`: the app versions its instances run on."""
    with db.read() as conn:
        definition = _flow(conn, guard, app, flow)
        rows = instance_admin.page(conn, app, flow, statuses=list(status or []), version=version, before=before,
                                   limit=limit)
        counts = instance_admin.counts(conn, app, flow, version)
        versions = instance_admin.versions(conn, app, flow)
        names: dict[int, str] = {}
        for form in {r.form for r in rows}:  # a flow's form may have changed between versions
            names |= _titles(conn, guard, definition, form, {r.record_id for r in rows if r.record_id and r.form == form})
        failing = outbox.failing_by_instance(conn, [r.id for r in rows])
        items = name_people(conn, [_instance(r, names.get(r.record_id) if r.record_id else None,
                                             failing.get(r.id, 0)) for r in rows])
    found = _named(definition, flow)
    return {"flow": {"key": flow, "name": found.name if found else flow, "form": found.form if found else None},
            "counts": counts, "total": sum(counts.values()), "versions": versions,
            "items": items,
            "next_before": rows[-1].id if len(rows) == limit else None}


def _instance_of(conn: Connection, app: str, flow: str, instance_id: int) -> Row[Any]:
    row = flows.get(conn, instance_id)
    if row.app != app or row.flow != flow:
        raise NotFound(f"流程 {flow} 没有实例 {instance_id}", f"flow {flow!r} has no instance {instance_id}")
    return row


def _job(job: Row[Any], tried: list[Row[Any]]) -> dict[str, Any]:
    payload = job.payload or {}
    where = payload.get("url") or payload.get("webhook")
    return {"id": job.id, "kind": job.kind, "status": job.status, "attempts": job.attempts,
            "max_attempts": job.max_attempts, "last_error": job.last_error, "run_at": _moment(job.run_at),
            "created_at": _moment(job.created_at), "updated_at": _moment(job.updated_at),
            "target": url_target(where) if where else ", ".join(payload.get("to") or []) or None,
            "retryable": job.status in FAILING,
            "deliveries": [{"attempt": d.attempt, "ok": d.ok, "status_code": d.status_code, "error": d.error,
                            "response": d.response, "target": url_target(d.target), "at": _moment(d.at)}
                           for d in tried]}


def _detail(conn: Connection, guard: Guard, definition: AppDefinition, row: Row[Any], lang: str) -> dict[str, Any]:
    jobs = outbox.of_instance(conn, row.id)
    tried = {j.id: outbox.job_deliveries(conn, j.id) for j in jobs}
    title = _titles(conn, guard, definition, row.form, {row.record_id})[row.record_id] if row.record_id else None
    failing = sum(1 for j in jobs if j.status in FAILING)
    timeline = timeline_json(flows.state_of(row).timeline, lang)
    if not _sees_all(conn, guard, row):  # as in a trial run: details may hold any field's value
        timeline = [{k: v for k, v in entry.items() if k != "detail"} for entry in timeline]
    return name_people(conn, {**_instance(row, title, failing),
                              "tasks": [task_json(t) for t in flows.tasks_of(conn, None, None, instance_id=row.id,
                                                                             limit=500)],
                              "timeline": timeline, "jobs": [_job(j, tried[j.id]) for j in jobs]})


def _sees_all(conn: Connection, guard: Guard, row: Row[Any]) -> bool:
    """Whether the actor may read the instance's record with every field of its form in full."""
    try:
        gate = guard.form(conn, row.app, row.form, "read")
        if row.record_id is not None:
            gate.require_record(row.record_id, "read")
    except (NotFound, Forbidden):
        return False
    return not (gate.hidden or gate.masked)


@router.get("/instances/{instance_id}")
def get_instance(app: str, flow: str, instance_id: Id, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """One instance: where it waits (`waiting`: step, assignees, since, due), its tasks and timeline, and
    its jobs, each with every delivery attempt (status code, error, the start of the answer)."""
    with db.read() as conn:
        definition = _flow(conn, guard, app, flow)
        row = _instance_of(conn, app, flow, instance_id)
        return _detail(conn, guard, definition, row, language(request))


@router.post("/instances/{instance_id}/jobs/{job_id}/retry")
def retry_job(app: str, flow: str, instance_id: Id, job_id: Id, request: Request, db: DB, guard: Gatekeeper,
              now: Now) -> Any:
    """重试: queue a failed or dead job of this instance once more, now, with a fresh set of attempts
    (audited as `job.retry`). A job that is not failed or dead — already queued again, running, done — is
    a 409 and nothing changes. Answers with the instance as `GET` does."""
    with db.write() as conn:
        definition = _flow(conn, guard, app, flow)
        row = _instance_of(conn, app, flow, instance_id)
        job = outbox.get(conn, job_id)
        if not (job.key or "").startswith(outbox.instance_keys(instance_id)):
            raise NotFound(f"实例 {instance_id} 没有后台任务 {job_id}", f"instance {instance_id} has no job {job_id}")
        outbox.retry(conn, job_id, now)
        audit.write(conn, "job.retry", guard.actor, now, app=app, form=row.form, record_id=row.record_id,
                    detail={"flow": flow, "instance": instance_id, "job": job_id, "kind": job.kind,
                            "was": job.status, "attempts": job.attempts})
        return _detail(conn, guard, definition, row, language(request))
