"""The flow's run log (运行记录) page for its administrators: how many instances are in each status, a page
of them with where each waits, and — in a drawer, through the API (runtime/api/flow_admin.py) — one
instance's timeline and jobs, with 重试 on a failed one. The table is the API's answer, rendered."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from builder_ui import i18n
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from runtime.api import flow_admin
from runtime.api.deps import DB, IdQuery
from runtime.apps import definitions

router = APIRouter()

WORDS = ("fi_later", "fi_resubmit", "fi_wait", "fi_tasks", "fi_jobs", "fi_no_jobs", "fi_attempt", "fi_attempts",
         "fi_response", "fi_retry", "fi_retried", "fi_timeline", "fi_target", "fi_error", "fi_due", "fi_since",
         "fi_waiting", "fi_record", "fi_submitter", "fi_version", "fi_status", "comment")
"""The words the drawer's script writes (it renders the API's JSON): `{n}`, `{m}` are filled in by it."""


def _words(request: Request) -> dict[str, str]:
    t = i18n.translator(i18n.language(request))
    keys = [*WORDS, *(f"st_{s}" for s in get_args(flow_admin.Status)),
            *(f"job_{s}" for s in ("pending", "running", "done", "failed", "dead")),
            *(f"kind_{k}" for k in ("webhook", "email", "dingtalk", "wecom", "flow_timer"))]
    return {k: t(k) for k in keys}


@router.get("/apps/{app}/builder/flows/{flow}/instances")
def instances_page(request: Request, app: str, flow: str, user: Viewer, guard: PageGuard, db: DB,
                   status: Annotated[flow_admin.Status | None, Query()] = None,
                   version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None, before: IdQuery = None) -> Response:
    listing = flow_admin.list_instances(app, flow, db, guard, [status] if status else None, version, before, 50)
    with db.read() as conn:
        definition, _ = definitions.current(conn, app)
    return render(request, "builder/flow_instances.html", user=user, app_key=app, app_name=definition.name,
                  listing=listing, current=status, version=version, statuses=list(get_args(flow_admin.Status)),
                  words=_words(request))
