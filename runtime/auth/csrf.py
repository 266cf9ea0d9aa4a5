"""CSRF protection for cookie sessions: a change needs a token only this session's pages know.

The token is an HMAC of the session token, so nothing is stored; pages put it in a meta tag (htmx
and the builders send it as `X-CSRF-Token`) or in a `csrf_token` form field. Requests that carry a
bearer token are exempt: a browser never adds an Authorization header on its own."""

from __future__ import annotations

import hmac

from starlette.requests import Request

from engine.errors import CsrfFailed
from runtime.auth.sessions import mac, secret_key

HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(request: Request, session_token: str) -> str:
    """The CSRF token of a session."""
    return mac(secret_key(request.app), "csrf", session_token)


async def verify(request: Request, session_token: str) -> None:
    """Raise CsrfFailed unless an unsafe request carries the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(FIELD)  # Starlette caches the form for the route
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, token_for(request, session_token)):
        raise CsrfFailed("页面已过期，请刷新后重试", "missing or wrong CSRF token: reload the page and try again")
