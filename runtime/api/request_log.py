"""Every request gets an id, returned in `X-Request-ID` and in error bodies, and one access line in the log.

The id is the client's (or the proxy's) `X-Request-ID` when it is a sane token of at most 64 characters,
else a new one; it lives in a context variable for the request, so errors.py and the log formatter find
it without passing it along. A pure ASGI middleware, not BaseHTTPMiddleware: that one buffers streaming
answers (exports) and runs background tasks out of the request. The line goes to the `tangram.access`
logger at INFO (`tangram serve --access-log` shows it; runtime/logs.py formats it, as JSON if asked)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from runtime.metrics.requests import UNMATCHED, route_template

REQUEST_ID: ContextVar[str | None] = ContextVar("tangram_request_id", default=None)
"""The id of the request being answered (None outside a request)."""

HEADER = b"x-request-id"
_SANE = re.compile(r"[A-Za-z0-9._:+/=-]{1,64}")  # what is safe to echo in a header and a log line
access = logging.getLogger("tangram.access")


def request_id_of(incoming: bytes | None) -> str:
    """The incoming id when it is a sane token, else a new random one."""
    value = incoming.decode("latin-1") if incoming else ""
    return value if _SANE.fullmatch(value) else uuid.uuid4().hex


class RequestLog:
    """ASGI middleware: the request id (header, context variable) and the access line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_of(next((v for k, v in scope["headers"] if k == HEADER), None))
        REQUEST_ID.set(rid)  # not reset: the 500 handler runs outside this middleware and still needs it
        header = (HEADER, rid.encode("ascii"))
        started = time.perf_counter()
        status = 500  # what the client gets when an exception escapes before the answer starts

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != HEADER]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if access.isEnabledFor(logging.INFO):
                log_request(scope, status, (time.perf_counter() - started) * 1000, rid)


def log_request(scope: Any, status: int, ms: float, rid: str) -> None:
    """One line: method, route template (the path when no route matched), status, duration, id, user."""
    route = route_template(scope)  # as /metrics labels it
    if route == UNMATCHED:  # the path itself: a line is not a time series, and a 404's path is what one looks for
        route = scope.get("path", "")
    user = (scope.get("state") or {}).get("username")
    fields = {"method": scope["method"], "route": route, "status": status, "duration_ms": round(ms, 1),
              "request_id": rid, "user": user}
    access.info("%s %s %s %.1fms id=%s user=%s", scope["method"], route, status, ms, rid, user or "-",
                extra={"fields": fields})
