"""Browser sessions: a `tangram_session` cookie carrying a login token, signed with HMAC-SHA256.

The token itself is an ordinary row of the `tokens` table (kind "session"), so revoking it ends the
session at once; the signature only lets the server refuse a forged or altered cookie before it
touches the database. The key is TANGRAM_SECRET_KEY, or one generated on first use and kept in
`<data_dir>/secret_key` (mode 0600) so sessions survive restarts."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from runtime.settings import Settings

COOKIE = "tangram_session"
KEY_FILE = "secret_key"


def _stored_key(data_dir: Path) -> bytes:
    """The key kept in the data dir, created (0600, never overwritten) on first use."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            pass
        else:
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip().encode()


def secret_key(app: Any) -> bytes:
    """The app's signing key (cached on app.state)."""
    key = getattr(app.state, "secret_key", None)
    if key is None:
        settings: Settings = app.state.settings
        key = settings.secret_key.encode() if settings.secret_key else _stored_key(settings.data_dir)
        app.state.secret_key = key
    return key  # type: ignore[no-any-return]


def mac(key: bytes, purpose: str, token: str) -> str:
    """HMAC-SHA256 of the token for one purpose ("session", "csrf"), URL-safe base64."""
    digest = hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, token: str) -> str:
    return f"{token}.{mac(key, 'session', token)}"


def unsign(key: bytes, value: str) -> str | None:
    """The token of a cookie value whose signature is right, else None."""
    token, _, signature = value.rpartition(".")
    if not token or not hmac.compare_digest(signature, mac(key, "session", token)):
        return None
    return token


def session_token(request: Request) -> str | None:
    """The login token of the request's session cookie, when present and correctly signed."""
    value = request.cookies.get(COOKIE)
    return unsign(secret_key(request.app), value) if value else None


def set_cookie(request: Request, response: Response, token: str, days: int) -> None:
    """HttpOnly (scripts cannot read it), SameSite=Lax, Secure over https, expiring with the token."""
    response.set_cookie(COOKIE, sign(secret_key(request.app), token), max_age=days * 86400, path="/",
                        httponly=True, samesite="lax", secure=request.url.scheme == "https")


def clear_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
