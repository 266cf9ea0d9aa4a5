"""The inbox (待办): four tabs — 待我处理 (my open tasks, decided in place, several approved at once),
我已处理 (tasks I decided), 我发起的 (my submissions) and 抄送我 (cc steps that named me) — filtered by app
and flow. Every decision is the browser calling the tasks API (static/js/approvals.js, inbox.js)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui import approvals
from builder_ui.i18n import language
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.app import AppDefinition
from engine.errors import NotFound
from runtime.accounts.directory import active_users
from runtime.accounts.naming import name_people
from runtime.api.deps import DB, IdQuery
from runtime.api.tasks import task_page
from runtime.apps import definitions
from runtime.flows import flows
from runtime.permissions.check import Guard
from runtime.records.titles import titles
from runtime.schemas.flows import cc_json, instance_json

router = APIRouter(include_in_schema=False)
SHOWN = 50
"""Rows per page of a tab (keyset pages: 下一页 carries the last row's id)."""
Tab = Literal["todo", "done", "mine", "cc"]
TABS: tuple[Tab, ...] = ("todo", "done", "mine", "cc")


class Names:
    """App, form and flow names of the current versions, each app's definition read once per page."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.apps: dict[str, AppDefinition | None] = {}

    def app(self, key: str) -> AppDefinition | None:
        if key not in self.apps:
            try:
                self.apps[key] = definitions.current(self.conn, key)[0]
            except NotFound:  # an app deleted since: its rows still show, by key
                self.apps[key] = None
        return self.apps[key]

    def started_by_hand(self, app: str, form: str, flow: str) -> bool:
        """An approval or a flow a user starts — not an automation their write set off."""
        found = self.app(app)
        return found is None or flow in approvals.by_hand(found) or flow in flows.approval_flows(found, form)

    def of(self, app: str, form: str, flow: str | None) -> dict[str, str]:
        found = self.app(app)
        if found is None:
            return {"app_name": app, "form_name": form, "flow_name": flow or ""}
        form_name = found.forms_by_key[form].name if form in found.forms_by_key else form
        flow_name = next((f.name for f in found.flows if f.key == flow), flow or "")
        return {"app_name": found.name, "form_name": form_name, "flow_name": flow_name}


def _rows(conn: Any, tab: Tab, user: str, app: str | None, flow: str | None, before: int | None,
          lang: str) -> dict[str, Any]:
    """One page of a tab: `items`, `next_before` (None on the last page) and, for the task tabs, `total`."""
    names = Names(conn)
    if tab in ("todo", "done"):
        asked = {"assignee": user, "statuses": ["open"]} if tab == "todo" else {"decided_by": user}
        found = flows.find_tasks(conn, **asked, app=app, flow=flow, before=before, limit=SHOWN + 1)
        page = task_page(conn, found, SHOWN, flows.count_tasks(conn, **asked, app=app, flow=flow),
                         flows.task_actions(conn, found[:SHOWN]))
        page["items"] = [t | names.of(t["app"], t["form"], t["flow"]) for t in page["items"]]
        return page
    if tab == "mine":
        found = flows.list_instances(conn, submitter=user, app=app, flow=flow, before=before, limit=SHOWN + 1)
        items = [instance_json(r, lang=lang) | names.of(r.app, r.form, r.flow)
                 for r in found[:SHOWN] if names.started_by_hand(r.app, r.form, r.flow)]
        return {"items": name_people(conn, items),
                "next_before": found[SHOWN - 1].id if len(found) > SHOWN else None}
    pairs, after = flows.copied_to(conn, user, app=app, flow=flow, before=before, limit=SHOWN)
    return {"items": name_people(conn, [cc_json(r, entry, sent, lang) | names.of(r.app, r.form, r.flow)
                                        for r, entry, sent in pairs]), "next_before": after}


def titled(conn: Any, guard: Guard, rows: list[dict[str, Any]]) -> None:
    """Set each row's `record_title`: its record's title as the reader may see it (an approver reads the
    record of their task), `#id` for a record they may not read or one deleted since."""
    wanted: dict[tuple[str, str], set[int]] = {}
    for row in rows:
        if row.get("record_id"):
            wanted.setdefault((row["app"], row["form"]), set()).add(int(row["record_id"]))
    shown: dict[tuple[str, str, int], str] = {}
    names = Names(conn)
    for (app, form), ids in wanted.items():
        definition = names.app(app)
        if definition is None or form not in definition.forms_by_key:
            continue
        try:
            found = guard.form(conn, app, form).titles_on(conn, form, titles(conn, definition, ids))
        except NotFound:
            continue
        shown |= {(app, form, i): title for i, title in found.items()}
    for row in rows:
        if row.get("record_id"):
            row["record_title"] = shown.get((row["app"], row["form"], int(row["record_id"])), f"#{row['record_id']}")


@router.get("/inbox")
def inbox_page(request: Request, user: Viewer, guard: PageGuard, db: DB, tab: str = "todo",
               app: str | None = None, flow: str | None = None, before: IdQuery = None) -> Response:
    """One tab of the inbox, newest first. Rows name their record by its title as the reader may see it;
    the record page behind each link goes through the gate (an approver may read the record of their task)."""
    chosen: Tab = tab if tab in TABS else "todo"  # type: ignore[assignment]
    app, flow = app or None, flow or None
    with db.read() as conn:
        apps = [definitions.current(conn, row.key)[0] for row in definitions.list_apps(conn)
                if guard.app_visible(conn, row.key)]
        page = _rows(conn, chosen, user.username or "", app, flow, before, language(request))
        rows = page["items"]
        titled(conn, guard, rows)
        users = active_users(conn) if chosen == "todo" else []
    flow_choices = [(a.key, f.key, f"{a.name} / {f.name}") for a in apps for f in a.flows if app in (None, a.key)
                    and (f.key in approvals.by_hand(a) or f.key in flows.approval_flows(a, f.form))]
    return render(request, "inbox/inbox.html", user=user, tab=chosen, tabs=TABS, rows=rows, tasks=rows,
                  apps=[(a.key, a.name) for a in apps], flows=flow_choices, app_filter=app or "",
                  flow_filter=flow or "", users=users, before=before, next_before=page["next_before"],
                  total=page.get("total"))
