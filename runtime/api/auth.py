"""Login with username and password for a bearer token; health for load balancers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from runtime.api.deps import DB, AppSettings, CurrentUser, Now
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


@router.get("/me")
def me(user: CurrentUser) -> Any:
    return {"username": user.username, "is_admin": user.is_admin}


@router.get("/health")
def health(db: DB) -> Any:
    """Liveness plus the database in use (no authentication)."""
    return {"status": "ok", "database": db.describe()}
