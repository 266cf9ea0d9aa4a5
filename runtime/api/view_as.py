"""查看为 through the API: an administrator starts viewing the web UI as another user (read-only), asks
whom they view as, and stops; start and stop are audited. Needs the web session (a bearer token cannot view
as anyone): runtime/auth/view_as.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from engine.errors import BadQuery
from runtime import audit
from runtime.accounts.accounts import user_row
from runtime.api.deps import DB, CurrentUser, change_for
from runtime.api.guard import NO_RECORDS, require_admin
from runtime.auth import sessions, view_as
from runtime.schemas.org import ViewAsIn

router = APIRouter(prefix="/api/v1/view-as", tags=["organisation"], dependencies=[NO_RECORDS])


def _session(request: Request) -> str:
    token = sessions.session_token(request)
    if token is None or "authorization" in request.headers:
        raise BadQuery("查看为只能在网页中使用（需要登录会话）", "view as works in the web UI only (it needs a session)")
    return token


@router.get("")
def viewing(request: Request, user: CurrentUser) -> Any:
    """Whom this session views as (`{"user": null}` when nobody)."""
    token = sessions.session_token(request)
    return {"user": view_as.signed_user(request, token) if token and user.is_admin else None}


@router.post("")
def start(body: ViewAsIn, request: Request, response: Response, db: DB, user: CurrentUser) -> Any:
    """Start viewing as `{"user": username}` (administrators; an active user other than yourself)."""
    require_admin(user)
    token = _session(request)
    if body.user == user.username:
        raise BadQuery("不能查看为自己", "you cannot view as yourself", field="user")
    change = change_for(request, user)
    with db.write() as conn:
        if not user_row(conn, body.user).active:  # 404 for no such user
            raise BadQuery(f"用户 {body.user} 已停用", f"user {body.user!r} is deactivated", field="user")
        audit.write(conn, "view_as.start", user, change.now, detail={"user": body.user})
    view_as.set_cookie(request, response, token, body.user)
    return {"user": body.user}


@router.delete("", status_code=204)
def stop(request: Request, response: Response, db: DB, user: CurrentUser) -> None:
    """Stop viewing as someone (audited when the session was viewing as someone)."""
    token = _session(request)
    viewed = view_as.signed_user(request, token)
    if viewed is not None:
        change = change_for(request, user)
        with db.write() as conn:
            audit.write(conn, "view_as.stop", user, change.now, detail={"user": viewed})
    view_as.clear_cookie(request, response)
