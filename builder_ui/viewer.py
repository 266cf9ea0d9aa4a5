"""Who is looking at a page: the session cookie's user, or a redirect to the login page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from engine.errors import Unauthorized
from runtime.api.deps import DB, current_user
from runtime.api.guard import guard
from runtime.auth.forced_change import CHANGE_PAGE, PasswordChangeRequired
from runtime.permissions.check import Guard
from runtime.records.context import Actor


class LoginRequired(Exception):
    """A page was asked for without a live session."""

    def __init__(self, next_url: str, page: str = "/login") -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.page = page  # the login page, or the forced password change (runtime/auth/forced_change.py)


async def viewer(request: Request, db: DB) -> Actor:
    """The same check as the API (cookie, CSRF on changes), answered with a redirect instead of a 401."""
    try:
        return await current_user(request, db, None)
    except PasswordChangeRequired:
        raise LoginRequired(request.url.path, CHANGE_PAGE) from None
    except Unauthorized:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else "")) from None


async def to_login(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"{exc.page}?next={quote(exc.next_url, safe='')}", status_code=303)


Viewer = Annotated[Actor, Depends(viewer)]


async def page_guard(request: Request, user: Viewer) -> Guard:
    """The API's permission gate for the page's viewer: pages show exactly what the API would return."""
    return await guard(request, user)


PageGuard = Annotated[Guard, Depends(page_guard)]
