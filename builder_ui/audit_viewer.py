"""管理 → 审计日志 (issue 27): the audit log for administrators, filtered by user, action, app, form, record
and time, newest first with keyset pages; each entry opens to what changed; the same filters export to
CSV or xlsx (GET /api/v1/audit/export); 登录记录 is the login history (successes, failures, locks)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from builder_ui import i18n
from builder_ui.rendering import render
from builder_ui.viewer import Viewer
from engine.app import AppDefinition
from engine.errors import BadQuery
from engine.forms.fields.relation import MAX_ID
from engine.forms.model import FormDefinition
from runtime import audit
from runtime.api.deps import DB, site_zone
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.apps import definitions

router = APIRouter(dependencies=[NO_RECORDS])

PAGE = 50
LOGIN_HISTORY = ",".join(audit.LOGIN_ACTIONS)
ACTIONS = (
    "record.",
    "record.create",
    "record.update",
    "record.delete",
    "login",
    "login.failed",
    "login.locked",
    "user.",
    "department.",
    "role.members",
    "user.handover",
    "token.",
    "app.",
    "app.publish",
    "settings.update",
    "view_as.start",
    "audit.export",
)
"""The choices offered in the action filter (any other action can be typed into the box)."""


def _local(text: str | None, name: str, zone: Any) -> datetime | None:
    """A `datetime-local` value ("2026-12-06T09:30") read in the site's time zone; 400 naming it otherwise."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadQuery(f"{name} 不是有效的时间：{text}", f"{name} is not a time: {text!r}", field=name) from None
    return audit.checked_moment(name, moment if moment.tzinfo else moment.replace(tzinfo=zone))


def action_namer(request: Request) -> Any:
    """An action's name in the page's language ("record.update" → 修改记录), the action itself when unnamed."""
    t = i18n.translator(i18n.language(request))
    return lambda action: t(f"act_{action}") if f"act_{action}" in i18n.ZH else action


def _record_id(text: str | None) -> int | None:
    """The record filter as typed: blank is no filter, anything else must be a record ID."""
    if not text or not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_ID:
        raise BadQuery(f"记录 ID 无效：{text}", f"not a record ID: {text!r}", field="record")
    return int(text)


def as_text(value: Any) -> str:
    """A detail's value as the page shows it: lists and objects as JSON (Chinese kept), the rest as is."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def changes(detail: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(field, from, to) of an entry's `changed`, for the detail's table."""
    changed = detail.get("changed")
    if not isinstance(changed, dict):
        return []
    return [(k, v.get("from"), v.get("to")) if isinstance(v, dict) else (k, None, v) for k, v in changed.items()]


class Names:
    """Apps, forms and fields by the names their published definitions give them, so an administrator
    filters and reads the log by 客户关系管理 / 客户 / 所属区域; a key nothing names now (a removed app or
    field) stays as it is."""

    def __init__(self, apps: list[AppDefinition]) -> None:
        self.apps = {a.key: a for a in apps}

    def app(self, key: str) -> str:
        return self.apps[key].name if key in self.apps else key

    def _form(self, app: str, key: str) -> FormDefinition | None:
        found = self.apps.get(app)
        return next((f for f in found.forms if f.key == key), None) if found else None

    def form(self, app: str, key: str) -> str:
        found = self._form(app, key)
        return found.name if found else key

    def field(self, app: str | None, form: str | None, key: str) -> str:
        found = self._form(app, form) if app and form else None
        return found.by_key[key].label if found and key in found.by_key else key


@router.get("/admin/audit")
def audit_page(
    request: Request,
    user: Viewer,
    db: DB,
    who: Annotated[str | None, Query(alias="user", max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=400)] = None,
    app: Annotated[str | None, Query(max_length=63)] = None,
    form: Annotated[str | None, Query(max_length=63)] = None,
    record: Annotated[str | None, Query(max_length=20)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    cursor: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    require_admin(user)
    zone = site_zone(request)
    record_id = _record_id(record)
    filters = {
        "user": who or None,
        "action": action or None,
        "app": app or None,
        "form": form or None,
        "record": record_id,
        "since": since or None,
        "until": until or None,
    }
    query = audit.AuditQuery(
        filters["user"],
        filters["action"],
        filters["app"],
        filters["form"],
        record_id,
        _local(since, "since", zone),
        _local(until, "until", zone),
        PAGE,
        cursor,
    )
    with db.read() as conn:
        rows, next_cursor = audit.search(conn, query)
        names = Names(definitions.current_apps(conn))
    given = {k: v for k, v in filters.items() if v is not None}
    # The export API wants times with their zone: the same moments the page searched.
    api_filters = {**given, **{k: v.isoformat() for k, v in (("since", query.since), ("until", query.until)) if v}}
    return render(
        request,
        "admin/audit.html",
        user=user,
        entries=[audit.entry_json(r) for r in rows],
        filters=filters,
        actions=ACTIONS,
        action_name=action_namer(request),
        as_text=as_text,
        login_history=LOGIN_HISTORY,
        changes=changes,
        names=names,
        next_link="?" + urlencode({**given, "cursor": next_cursor}) if next_cursor else None,
        export_query=urlencode(api_filters),
    )
