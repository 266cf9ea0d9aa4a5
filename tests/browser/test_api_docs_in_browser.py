"""The API docs (/docs, issue 28) work with no network: Swagger UI comes from our vendored files, starts
under the page's Content-Security-Policy, and lists the operations; the browser may reach only loopback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.browser.conftest import Site
from tests.browser.test_csp_in_browser import WATCH
from tests.browser.wait import wait_until


def test_the_api_docs_list_the_operations_with_only_loopback_reachable(browser: Any, site: Site) -> None:
    context = browser.new_context(locale="zh-CN")
    elsewhere: list[str] = []

    def loopback_only(route: Any) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    context.route("**/*", loopback_only)
    context.add_init_script(WATCH)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append(f"script error: {e}"))
    page.goto(f"{site.url}/docs")
    wait_until(page, "document.querySelectorAll('.opblock').length > 0")  # the first tags' operations
    paths = page.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent.trim())")
    assert "/api/v1/apps/{app}/forms/{form}/records/export" in {p.replace("\u200b", "") for p in paths}
    page.wait_for_load_state("networkidle")
    assert elsewhere == []
    assert refused + page.evaluate("window.__csp || []") == []
    context.close()


def test_an_apps_api_docs_open_from_its_page_with_its_forms_typed(page: Any, site: Site) -> None:
    """接口文档 on the app page (issue 29): Swagger UI over the app's own document, read with the session."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{site.url}/apps/crm")
    page.get_by_role("link", name="接口文档").click()
    page.wait_for_url(f"{site.url}/apps/crm/api-docs")
    wait_until(page, "document.querySelectorAll('.opblock').length > 0")
    paths = page.evaluate("[...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent.trim())")
    assert "/api/v1/apps/crm/forms/customer/records" in {p.replace("\u200b", "") for p in paths}
    assert page.locator(".models, .model-container").count() > 0  # the per-form schemas
    assert refused == []
