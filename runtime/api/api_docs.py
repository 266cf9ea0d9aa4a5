"""The API docs pages (/docs, and /apps/{app}/api-docs per app): Swagger UI from builder_ui/static/vendor, so it works with no network (issue 28).

FastAPI's page starts Swagger UI with an inline script; our pages refuse inline scripts (`script-src 'self'`),
so this page's policy allows that one script by a nonce drawn for each response, and nothing else that is
not ours. The page and the OpenAPI document it reads are public, as FastAPI's default /docs was."""

from __future__ import annotations

import html
import secrets
from urllib.parse import quote

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
    return swagger_page(request.app.openapi_url or "/openapi.json", f"{request.app.title} API")


@router.get("/apps/{app}/api-docs", include_in_schema=False)
def app_swagger_ui(app: str) -> HTMLResponse:
    """接口文档 of one app (issue 29): its typed document, which answers only a signed-in caller and
    shows only what they may see; the page itself holds nothing of the app."""
    return swagger_page(f"/api/v1/apps/{quote(app, safe='')}/openapi.json", f"{html.escape(app)} API")


def swagger_page(openapi_url: str, title: str) -> HTMLResponse:
    """Swagger UI over `openapi_url`, from the vendored files, its start-up script allowed by a nonce."""
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(openapi_url=openapi_url, title=title,
                               swagger_js_url=f"{VENDOR}/swagger-ui-bundle.js",
                               swagger_css_url=f"{VENDOR}/swagger-ui.css",
                               swagger_favicon_url=f"{VENDOR}/swagger-ui-favicon.png",
                               swagger_ui_parameters={"validatorUrl": None})  # no badge from a validator online
    # Only the start-up script is bare `<script>`: the bundle's tag has a src attribute.
    text = bytes(page.body).decode().replace("<script>", f'<script nonce="{nonce}">')
    return HTMLResponse(text, headers={"Content-Security-Policy": docs_policy(nonce)})
