"""Security headers (issue 21, item 9) on UI pages, API answers (errors included), static files and the
API docs; and the templates hold nothing the strict policy would refuse."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from runtime.api.security_headers import API_POLICY, UI_POLICY, docs_policy
from tests.factories import Maker

TEMPLATES = Path(__file__).resolve().parents[3] / "builder_ui" / "templates"
ALWAYS = {"x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin"}


def _headers(response: Any) -> dict[str, str]:
    return {k: response.headers.get(k) for k in [*ALWAYS, "content-security-policy"]}


@pytest.mark.parametrize("path,status,policy", [
    ("/login", 200, UI_POLICY),
    ("/", 200, UI_POLICY),  # logged in: a page of the UI
    ("/apps/nosuch", 404, UI_POLICY),  # the UI's error page
    ("/api/v1/health", 200, API_POLICY),
    ("/api/v1/apps/nosuch", 404, API_POLICY),  # an error answer
    ("/api/v1/apps?x=%00", 400, API_POLICY),  # refused before any route (nul_guard)
    ("/static/js/common.js", 200, API_POLICY),
    ("/docs", 200, docs_policy("N")),  # Swagger UI, vendored, with its start-up script by nonce (docs/security.md)
], ids=["login", "page", "page-404", "api", "api-404", "api-400", "static", "docs"])
def test_every_response_carries_the_security_headers(make: Maker, path: str, status: int, policy: str) -> None:
    make.user("admin")
    assert make.client.post("/login", data={"username": "admin", "password": "password-123"},
                            follow_redirects=False).status_code == 303  # a session cookie, as a browser has
    r = make.client.get(path, headers=make.admin if path.startswith("/api") else {}, follow_redirects=False)
    assert r.status_code == status
    found = _headers(r)
    found["content-security-policy"] = re.sub(r"'nonce-[^']+'", "'nonce-N'", found["content-security-policy"] or "")
    assert found == {**ALWAYS, "content-security-policy": policy}


def test_the_ui_policy_allows_only_its_own_scripts() -> None:
    directives = dict(d.strip().split(" ", 1) for d in UI_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and "unsafe-eval" not in UI_POLICY


SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"""\s(on[a-z]+|x-[a-z:.-]+|@[a-z.:-]+|:[a-z-]+|hx-on[a-z:-]*|hx-vars)\s*=""", re.I)


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")))
def test_templates_hold_no_code_the_policy_refuses(template: str) -> None:
    """No inline script with code (JSON data blocks are data), no event-handler attributes, no Alpine or
    htmx expressions (they need eval), no javascript: URLs."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    scripts = [attrs for attrs in SCRIPT.findall(text) if "src=" not in attrs and 'type="application/json"' not in attrs]
    assert scripts == []
    assert HANDLER.findall(text) == []
    assert "javascript:" not in text.lower()


def test_the_api_docs_load_nothing_from_elsewhere_and_allow_only_their_own_inline_script(make: Maker) -> None:
    r = make.client.get("/docs")
    nonce = re.search(r"'nonce-([^']+)'", r.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    assert "https:" not in r.headers["content-security-policy"] and "https:" not in r.text
    assert SCRIPT.findall(r.text) == [' src="/static/vendor/swagger-ui-bundle.js"', f' nonce="{nonce}"']
    assert make.client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert make.client.get("/redoc").status_code == 404  # ReDoc came from a CDN: gone rather than blank
