"""Dashboard subscriptions (订阅) over HTTP: list, add, change and remove the daily or weekly snapshots of a
dashboard.

Anyone who may see the dashboard subscribes themself by e-mail or in-app message; subscribing another user,
a role, or a group robot needs `manage` on the app. Every recipient gets only what they may see, worked
out when the snapshot is sent (runtime/jobs/handlers/dashboard_subscription.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from engine.app import AppDefinition
from engine.errors import BadQuery, Forbidden, NotFound
from engine.reports.subscription import ROBOTS, SubscriptionChange, SubscriptionSpec, changed, next_run
from runtime import audit
from runtime.accounts.users import user_by_name
from runtime.analytics import subscriptions
from runtime.api.deps import DB, site_zone
from runtime.api.guard import Gatekeeper
from runtime.api.reports import _report
from runtime.permissions.check import Guard

router = APIRouter(prefix="/api/v1/apps/{app}/reports/{report}/subscriptions", tags=["reports"])


def _may_manage(conn: Any, guard: Guard, app: str) -> bool:
    try:
        guard.require_manage(conn, app)
    except (Forbidden, NotFound):
        return False
    return True


def _own(spec: dict[str, Any], username: str | None) -> bool:
    return spec.get("subscriber") == "user" and spec.get("name") == username


@router.get("")
def list_subscriptions(app: str, report: str, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """The dashboard's subscriptions with their next time (managers: all; others: their own)."""
    _report(db, guard, app, report)
    with db.read() as conn:
        manager = _may_manage(conn, guard, app)
        rows = [r for r in subscriptions.of_report(conn, app, report) if manager or _own(r.spec, guard.actor.username)]
    tz = site_zone(request)
    return {
        "items": [
            subscriptions.as_json(r, next_run(SubscriptionSpec.model_validate(r.spec), guard.now, tz)) for r in rows
        ]
    }


def _check_recipient(conn: Any, guard: Guard, definition: AppDefinition, spec: SubscriptionSpec) -> None:
    """Yourself by e-mail or in-app message, or `manage` on the app; the user or role must exist (400 naming `name`)."""
    if not (_own(spec.model_dump(), guard.actor.username) and spec.channel not in ROBOTS):
        guard.require_manage(conn, definition.key)
    if spec.subscriber == "user":
        user = user_by_name(conn, spec.name)
        if user is None or not user.active:
            raise BadQuery(f"用户 {spec.name} 不存在", f"no active user {spec.name!r}", field="name")
    elif spec.name not in definition.roles_by_key:
        raise BadQuery(f"角色 {spec.name} 不存在", f"no role {spec.name!r} in app {definition.key!r}", field="name")


@router.post("", status_code=201)
def add_subscription(app: str, report: str, spec: SubscriptionSpec, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Subscribe a user or a role: `{"subscriber": "user", "name": "zhang.wei", "every": "daily", "at": "08:00",
    "channel": "email"}`; weekly with `"weekday": 1` (Monday); robots with `"webhook"` (and `"secret"`)."""
    definition, found = _report(db, guard, app, report)
    subscriptions.check_filters(found, spec)
    with db.write() as conn:
        _check_recipient(conn, guard, definition, spec)
        return subscriptions.add(conn, app, report, spec, guard.actor.username, guard.now, site_zone(request))


@router.patch("/{subscription_id}")
def change_subscription(
    app: str,
    report: str,
    subscription_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    change: SubscriptionChange,
    request: Request,
    db: DB,
    guard: Gatekeeper,
) -> Any:
    """Change recipients, schedule, time, channel or filters (only the fields given): checked as a whole as
    when adding (422 naming the field, 400 naming `name` or `filters.<field>`), the next snapshot moved to the
    new time, and the change written to the audit log. Your own (staying your own, not a robot); managers any."""
    definition, found = _report(db, guard, app, report)
    with db.write() as conn:
        row = subscriptions.get(conn, subscription_id)
        if row is None or (row.app, row.report) != (app, report):
            raise NotFound(f"订阅 {subscription_id} 不存在", f"no subscription {subscription_id}")
        if not _own(row.spec, guard.actor.username):
            guard.require_manage(conn, app)
        before = SubscriptionSpec.model_validate(row.spec)
        try:
            spec = SubscriptionSpec.model_validate(changed(before, change))
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from None
        subscriptions.check_filters(found, spec)
        _check_recipient(conn, guard, definition, spec)
        out = subscriptions.change(conn, subscription_id, spec, guard.now, site_zone(request))
        was, now = before.model_dump(exclude={"secret"}), spec.model_dump(exclude={"secret"})
        moved = {k: {"from": was[k], "to": now[k]} for k in now if was[k] != now[k]}
        detail = {"report": report, "subscription": subscription_id, "changed": moved}
        audit.write(conn, "report.subscription.update", guard.actor, guard.now, app=app, detail=detail)
        return out


@router.delete("/{subscription_id}", status_code=204)
def remove_subscription(
    app: str, report: str, subscription_id: Annotated[int, Path(ge=1, le=2**63 - 1)], db: DB, guard: Gatekeeper
) -> None:
    """Remove a subscription (your own; managers: any); its queued snapshot is not sent."""
    _report(db, guard, app, report)
    with db.write() as conn:
        row = subscriptions.get(conn, subscription_id)
        if row is None or (row.app, row.report) != (app, report):
            raise NotFound(f"订阅 {subscription_id} 不存在", f"no subscription {subscription_id}")
        if not _own(row.spec, guard.actor.username):
            guard.require_manage(conn, app)
        subscriptions.remove(conn, subscription_id)
