"""查看为 (view as): an administrator browses as another user to check what they see, read-only.

A cookie names the user, signed for this session only (an HMAC of the session token and the name); while
it is present and the session's user is an administrator, every request made with the session cookie acts
as that user with a read-only scope: the gate answers exactly what that user would get, and any change is
refused (403 `view_as`). Bearer tokens never view as anyone. Starting and stopping (runtime/api/view_as.py)
and signing out stay the administrator's own requests."""

from __future__ import annotations

import hmac

from sqlalchemy import Connection
from starlette.requests import Request
from starlette.responses import Response

from runtime.accounts.accounts import primary_department
from runtime.accounts.users import user_by_name
from runtime.auth.sessions import mac, secret_key
from runtime.records.context import Actor

COOKIE = "tangram_view_as"
OWN_PATHS = frozenset({"/api/v1/view-as", "/logout"})
"""Requests that stay the administrator's while viewing as someone."""


def _signature(request: Request, session_token: str, username: str) -> str:
    return mac(secret_key(request.app), "view_as", f"{session_token}\n{username}")


def set_cookie(request: Request, response: Response, session_token: str, username: str) -> None:
    """Start viewing as `username` in this session (HttpOnly; ends with the session or on stop)."""
    response.set_cookie(COOKIE, f"{username}|{_signature(request, session_token, username)}", path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")


def signed_user(request: Request, session_token: str) -> str | None:
    """The user named by the cookie, when it is present and signed for this session."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    username, _, signature = value.rpartition("|")
    if not username or not hmac.compare_digest(signature, _signature(request, session_token, username)):
        return None
    return username


def viewed_user(request: Request, session_token: str) -> str | None:
    """The user this request acts as: the cookie's, except on the administrator's own paths."""
    return None if request.url.path in OWN_PATHS else signed_user(request, session_token)


def viewing_actor(conn: Connection, admin: Actor, username: str) -> Actor | None:
    """The read-only actor of an active `username`, seen by `admin` (None for no such active user)."""
    row = user_by_name(conn, username)
    if row is None or not row.active:
        return None
    return Actor(row.username, row.id, row.is_admin, department=primary_department(conn, username), ip=admin.ip,
                 scope="read", via="view_as", viewed_by=admin.username)


__all__ = ["COOKIE", "OWN_PATHS", "clear_cookie", "set_cookie", "signed_user", "viewed_user", "viewing_actor"]
