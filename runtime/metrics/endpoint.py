"""GET /metrics, the Prometheus text format, for this app's own registry (several apps in one process, as in
the tests, never share series).

Who may read it: a client on loopback (127.0.0.1, ::1) that did not come through a proxy, and anyone with
`Authorization: Bearer <TANGRAM_METRICS_TOKEN>` when that token is set. Anyone else gets 403 saying so
(not 404: an operator whose scraper is refused should learn why). A request with a Forwarded or
X-Forwarded-For header is not local even from 127.0.0.1: behind nginx on the same machine every client
would otherwise look local."""

from __future__ import annotations

import hmac
import ipaddress
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from runtime.api.errors import error_body, language
from runtime.api.guard import NO_RECORDS
from runtime.metrics.requests import RequestMetrics, RequestSeries
from runtime.metrics.state import StateCollector

PROXY_HEADERS = ("forwarded", "x-forwarded-for")
REFUSED_ZH = "/metrics 只对本机开放，其他地址需带 TANGRAM_METRICS_TOKEN 令牌（Authorization: Bearer）"
REFUSED_EN = "/metrics answers loopback clients; others need the bearer token TANGRAM_METRICS_TOKEN"


def install(app: FastAPI) -> None:
    """The registry, the timing middleware (outermost when called last) and the route."""
    registry = app.state.metrics_registry = CollectorRegistry()
    registry.register(StateCollector(app.state, lambda: app.state.clock() if app.state.clock else datetime.now(UTC)))
    app.add_middleware(RequestMetrics, series=RequestSeries(registry))
    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False, dependencies=[NO_RECORDS])


def is_local(request: Request) -> bool:
    """A loopback client that no proxy speaks for."""
    if request.client is None or any(h in request.headers for h in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:  # a test client's or a Unix socket's made-up host
        return False


def has_token(request: Request) -> bool:
    token = request.app.state.settings.metrics_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


async def metrics(request: Request) -> Response:
    if not (is_local(request) or has_token(request)):
        # JSON, as the API answers (outside /api the error handler would render the UI's page for a scraper)
        zh = language(request) == "zh"
        return JSONResponse(error_body("forbidden", REFUSED_ZH if zh else REFUSED_EN), status_code=403)
    body = await run_in_threadpool(generate_latest, request.app.state.metrics_registry)  # the queries block
    return Response(body, media_type=CONTENT_TYPE_LATEST)
