"""Login with username and password for a bearer token (health: api/health.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from engine.errors import TooManyAttempts, Unauthorized
from runtime import audit
from runtime.accounts import logins
from runtime.accounts.sessions import revoke_token
from runtime.accounts.users import authenticate, issue_token
from runtime.api.deps import DB, AppSettings, CurrentUser, Now
from runtime.api.guard import NO_RECORDS
from runtime.auth import sessions
from runtime.db.db import Database
from runtime.records.context import Actor
from runtime.settings import Settings
from runtime.system_settings import store as system_settings

router = APIRouter(prefix="/api/v1", tags=["auth"], dependencies=[NO_RECORDS])


class Login(BaseModel):
    username: str
    password: str


def throttle_of(settings: Settings) -> logins.Throttle:
    """The login throttle's limits of 系统设置 (docs/security.md, "Login throttling")."""
    return logins.Throttle(settings.login_free_failures, settings.login_lock_after, settings.login_lock_minutes)


def sign_in(request: Request, db: Database, now: datetime, username: str, password: str, days: int,
            kind: str = "login") -> str:
    """A new token for a right username and password (the API's login and the page's alike); 401 otherwise.
    Repeated failures slow down, then lock (429 with Retry-After), known user or not, as accounts/logins.py
    says; every attempt is in the audit log, and so is every lock it causes."""
    ip = request.client.host if request.client else None
    body = Login(username=username, password=password)
    attempt = logins.Attempt(body.username, ip)
    with db.read() as conn:
        throttle = throttle_of(system_settings.current(conn))
    try:
        with db.write() as conn:
            logins.check_allowed(conn, attempt, now, throttle)
            user = authenticate(conn, body.username, body.password)
            token = issue_token(conn, user.id, now, kind=kind, days=days)
            logins.record_success(conn, attempt, user.id, now)
            audit.write(conn, "login", Actor(user.username, user.id, ip=ip), now)
    except Unauthorized:
        with db.write() as conn:  # the login's own transaction rolled back: count the failure in another
            locks = logins.record_failure(conn, attempt, now, throttle)
            audit.write(conn, "login.failed", Actor(None, ip=ip), now, username=body.username[:64])
            for lock in locks:  # by the system: the name tried is the subject, as for a failed login
                audit.write(conn, "login.locked", Actor(None, ip=ip), now, username=body.username[:64],
                            detail={"scope": lock.scope, "address": attempt.where, "until": lock.until.isoformat()})
        raise
    except TooManyAttempts:
        with db.write() as conn:
            audit.write(conn, "login.throttled", Actor(None, ip=ip), now, username=body.username[:64])
        raise
    return token


@router.post("/auth/login")
def login(body: Login, request: Request, db: DB, now: Now, settings: AppSettings) -> Any:
    """`{"access_token", "token_type": "bearer"}` for a right username and password; 401 otherwise
    (429 with Retry-After after repeated failures)."""
    token = sign_in(request, db, now, body.username, body.password, settings.session_days)
    return {"access_token": token, "token_type": "bearer", "expires_in": settings.session_days * 86400}


@router.post("/auth/logout")
def logout(request: Request, user: CurrentUser, db: DB, now: Now) -> Any:
    """Revoke the token in use (bearer or session cookie) at once, and clear the session cookie."""
    with db.write() as conn:
        revoke_token(conn, request.state.token, now)
    response = JSONResponse({"status": "logged_out"})
    sessions.clear_cookie(request, response)
    return response


@router.get("/me")
def me(user: CurrentUser) -> Any:
    return {"username": user.username, "is_admin": user.is_admin}

