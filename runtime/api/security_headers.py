"""Security headers on every response (OWASP Secure Headers; issue 21): a strict Content-Security-Policy,
no framing, no MIME sniffing, no full URLs in the Referer.

The UI serves only its own scripts (builder_ui/static, vendored), so its pages allow `script-src 'self'`
and nothing inline or evaluated. Inline *styles* stay allowed: the pages colour badges and kanban columns
with `style="--c: …"` attributes, and htmx adds its indicator style; neither can run code. Other responses
(JSON, files, scripts) get `default-src 'none'`: a document the API returns never loads or runs anything,
even if a browser is led to open it. The API docs (/docs, runtime/api/api_docs.py) load Swagger UI from our
vendored files and start it with one inline script: that page sets `docs_policy(nonce)`, which allows just
that script (docs/security.md). A response that sets its own Content-Security-Policy keeps it."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import MutableHeaders

UI_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'")
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def docs_policy(nonce: str) -> str:
    """The API docs page's policy: the UI's, plus its one inline start-up script by nonce."""
    return UI_POLICY.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'")


ALWAYS = {
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # record ids and filters in our URLs stay with us
}


def policy_for(path: str, content_type: str) -> str:
    return UI_POLICY if content_type.startswith("text/html") else API_POLICY


class SecurityHeaders:
    """ASGI middleware: adds the headers to the start of every HTTP response."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy",
                                   policy_for(scope["path"], headers.get("content-type", "")))
            await send(message)

        await self.app(scope, receive, send_with_headers)


__all__ = ["SecurityHeaders", "UI_POLICY", "API_POLICY", "docs_policy"]
