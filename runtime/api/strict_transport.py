"""Strict-Transport-Security on every HTTPS response, when `tangram serve` terminates TLS itself
(TANGRAM_SSL_CERTFILE): browsers then refuse plain HTTP to this host for a year. Behind a proxy that
terminates TLS, the proxy sends the header (docs/security.md)."""

from __future__ import annotations

from typing import Any

HSTS = (b"strict-transport-security", b"max-age=31536000")
"""A year, without includeSubDomains: a small deployment's other hosts may not speak HTTPS."""


class StrictTransport:
    """ASGI middleware adding HSTS to responses of requests that came over HTTPS."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https":
            await self.app(scope, receive, send)
            return

        async def with_hsts(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), HSTS]
            await send(message)

        await self.app(scope, receive, with_hsts)
