"""Request latency and status counts, labelled by route template (`/api/v1/apps/{app}/forms/{form}/records`),
never by the raw path: ids in labels would make a new time series per record."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

UNMATCHED = "unmatched"  # no route (a 404 before any handler): one label for every such path
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def route_template(scope: Any) -> str:
    """The template of the route that answered (FastAPI's router puts it in the scope); for a mounted app
    (the static files), where it was mounted."""
    route = scope.get("route")
    if route is None and "endpoint" in scope:  # a Mount sets the endpoint and its own root_path, not a route
        return str(scope.get("root_path") or UNMATCHED)
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    return path if isinstance(path, str) and path else UNMATCHED


class RequestSeries:
    """The request metrics of one app's registry (made once: a registry refuses a name twice)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Histogram("tangram_http_request_duration_seconds", "Time to answer an HTTP request.",
                                 ["method", "route"], buckets=BUCKETS, registry=registry)
        self.answered = Counter("tangram_http_responses", "HTTP responses by status.",
                                ["method", "route", "status"], registry=registry)


class RequestMetrics:
    """ASGI middleware: times each HTTP request to its last body byte and counts its status."""

    def __init__(self, app: Any, series: RequestSeries) -> None:
        self.app = app
        self.seconds, self.answered = series.seconds, series.answered

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting a response

        async def send_noting_status(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = route_template(scope)
            self.seconds.labels(scope["method"], route).observe(time.perf_counter() - started)
            self.answered.labels(scope["method"], route, str(status)).inc()
