"""A URL holding U+0000 (`%00`) in its path or query gets a 400 naming where, before any route runs.

PostgreSQL cannot take the character in text, so an app key, a filter or a search holding it would
otherwise fail in the database driver. Record values are checked by the engine (a 422 naming the
field); other text in a body that still reaches PostgreSQL is caught by errors.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import BadQuery, EngineError
from runtime.api.errors import error_body, language

PageAnswer = Callable[[Request, EngineError], Awaitable[Response]]


class RefuseNul:
    """ASGI middleware: one bytes search per request, the parsing only when it finds `%00`. Under /api/
    the answer is the JSON error; a page gets the error page (`page`, from the UI)."""

    def __init__(self, app: Any, page: PageAnswer | None = None) -> None:
        self.app, self.page = app, page

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query, path = scope.get("query_string", b""), scope.get("raw_path") or b""
            if b"%00" in query or b"%00" in path:
                where = _where(query.decode("latin-1")) if b"%00" in query else "path"
                request = Request(scope)
                if self.page is not None and not request.url.path.startswith("/api/"):
                    error = BadQuery(f"{where} 含有空字符（U+0000）", f"{where} contains the NUL character (U+0000)",
                                     field=where)
                    await (await self.page(request, error))(scope, receive, send)
                    return
                zh = language(request) == "zh"
                message = f"{where} 含有空字符（U+0000）" if zh else f"{where} contains the NUL character (U+0000)"
                body = error_body("bad_query", message)
                body["error"]["field"] = where
                await JSONResponse(body, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _where(query: str) -> str:
    for key, value in parse_qsl(query, keep_blank_values=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "query"
    return "query"
