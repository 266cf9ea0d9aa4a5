"""A request body over its limit gets a 413 naming the limit, before more than the limit is read.

JSON bodies are bounded by settings.max_body_mb, uploads (multipart/form-data) by max_upload_mb and a
little room for the form's envelope. A Content-Length over the limit is refused before any byte of
the body is read; a body sent without one (chunked) is counted as it arrives and refused at the byte
that crosses the limit — the route never sees more."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from runtime.api.errors import language, too_large_body

ENVELOPE = 1 << 20
"""Room for a multipart form's boundaries and part headers around a file of the largest allowed size."""


class BodyTooLarge(HTTPException):
    """Raised from the body stream when it crosses the limit: FastAPI lets HTTP exceptions through its
    body parsing, and errors.py answers them with too_large_body."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over {limit} bytes")
        self.limit = limit


class BoundedBody:
    """ASGI middleware: counts the bytes of each request body against its limit."""

    def __init__(self, app: Any, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload + ENVELOPE

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        upload = request.headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_upload if upload else self.max_body
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await JSONResponse(too_large_body(limit, language(request) == "zh"), status_code=413,
                               headers={"Connection": "close"})(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)
