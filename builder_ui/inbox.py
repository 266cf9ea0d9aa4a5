"""The task inbox (待办): the user's open approvals and to-dos, decided in place through the tasks API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.rendering import render
from builder_ui.viewer import Viewer
from runtime.api.deps import DB
from runtime.api.guard import NO_RECORDS
from runtime.apps import definitions
from runtime.flows import flows
from runtime.schemas.flows import task_json

router = APIRouter(include_in_schema=False)
SHOWN = 200


# Tasks name their record by id only; the record page behind each link goes through the gate.
@router.get("/inbox", dependencies=[NO_RECORDS])
def inbox_page(request: Request, user: Viewer, db: DB) -> Response:
    """Open tasks, newest first, with the flow step, the record they are about and when they are due."""
    with db.read() as conn:
        rows = flows.tasks_of(conn, user.username, ["open"], limit=SHOWN)
        names = {}
        for row in rows:
            if (row.app, row.form) not in names:
                app, _ = definitions.current(conn, row.app)
                names[(row.app, row.form)] = (app.name, app.forms_by_key[row.form].name
                                              if row.form in app.forms_by_key else row.form)
    tasks = [task_json(r) | {"app_name": names[(r.app, r.form)][0], "form_name": names[(r.app, r.form)][1]}
             for r in rows]
    return render(request, "inbox/inbox.html", user=user, tasks=tasks)
