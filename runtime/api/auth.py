"""Login with username and password for a bearer token; health for load balancers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from runtime.api.deps import DB, AppSettings, CurrentUser, Now
from runtime.auth import sessions
from runtime.storage.sessions import revoke_token
from runtime.storage.users import authenticate, issue_token

router = APIRouter(prefix="/api/v1", tags=["auth"])


class Login(BaseModel):
    username: str
    password: str


@router.post("/auth/login")
def login(body: Login, db: DB, now: Now, settings: AppSettings) -> Any:
    """`{"access_token", "token_type": "bearer"}` for a right username and password; 401 otherwise."""
    with db.write() as conn:
        user = authenticate(conn, body.username, body.password)
        token = issue_token(conn, user.id, now, days=settings.session_days)
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


@router.get("/health")
def health(db: DB) -> Any:
    """Liveness plus the database in use (no authentication)."""
    return {"status": "ok", "database": db.describe()}
