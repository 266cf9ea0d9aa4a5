"""离职交接 through the API: preview what a leaving user holds, then hand it all to another user in one
action (administrators only: it crosses every app); audited with what moved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from runtime import audit
from runtime.accounts import handover
from runtime.api.deps import DB, CurrentUser, change_for, site_zone
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.schemas.org import HandoverIn

router = APIRouter(prefix="/api/v1/users/{username}/handover", tags=["organisation"], dependencies=[NO_RECORDS])


@router.get("")
def preview(username: str, db: DB, user: CurrentUser) -> Any:
    """What a handover would move: `records` (owned), `tasks` (open), `flows` (running, started by the
    user), each as `[{"app", "form", "count"}]`."""
    require_admin(user)
    with db.read() as conn:
        return handover.preview(conn, username)


@router.post("")
def hand_over(username: str, body: HandoverIn, request: Request, db: DB, user: CurrentUser) -> Any:
    """Hand everything the preview lists to `{"to": username}`; 400 naming `to` for the same, or a
    deactivated, user; 404 for an unknown one. Answers with what moved."""
    require_admin(user)
    change = change_for(request, user)
    with db.write() as conn:
        moved = handover.hand_over_all(conn, username, body.to, change.now, site_zone(request))
        audit.write(conn, "user.handover", user, change.now, detail={**moved, "to": body.to})
    return {**moved, "to": body.to}
