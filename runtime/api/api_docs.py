"""The API docs page (/docs): Swagger UI from builder_ui/static/vendor, so it works with no network (issue 28).

FastAPI's page starts Swagger UI with an inline script; our pages refuse inline scripts (`script-src 'self'`),
so this page's policy allows that one script by a nonce drawn for each response, and nothing else that is
not ours. The page and the OpenAPI document it reads are public, as FastAPI's default /docs was."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.requests import Request

from runtime.api.guard import NO_RECORDS
from runtime.api.security_headers import docs_policy

router = APIRouter(dependencies=[NO_RECORDS])

VENDOR = "/static/vendor"


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url or "/openapi.json",
                               title=f"{request.app.title} API",
                               swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
                               swagger_css_url=f"{VENDOR}/swagger-ui.css",
                               swagger_favicon_url=f"{VENDOR}/swagger-ui-favicon.png",
                               swagger_ui_parameters={"validatorUrl": None})  # no badge from a validator online
    # Only the start-up script is bare `<script>`: the bundle's tag has a src attribute.
    html = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(html, headers={"Content-Security-Policy": docs_policy(nonce)})
