"""Every UI page under the strict Content-Security-Policy (issue 21, item 9): no violation on any page, no
script error, and the pages still work (a click or two on those whose scripts do the most)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PASSWORD, Site, log_in
from tests.browser.filters import apply_condition
from tests.browser.wait import wait_until

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));"""


class Watcher:
    """Collects CSP violations (the DOM event and Chromium's console message) and script errors of a page."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.seen: list[str] = []
        page.context.add_init_script(WATCH)
        page.on("console", lambda m: self.seen.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: self.seen.append(f"script error: {e}"))

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        self.page.wait_for_load_state("networkidle")
        self.check(url)

    def check(self, where: str) -> None:
        self.seen += [f"{where}: {v}" for v in self.page.evaluate("window.__csp || []")]
        assert self.seen == [], self.seen


@pytest.fixture
def watched(browser: Any, site: Site) -> Iterator[Watcher]:
    page = log_in(browser, site)
    yield Watcher(page)
    page.context.close()


def test_the_login_page_has_no_csp_violation_and_logs_in(browser: Any, site: Site) -> None:
    context = browser.new_context(locale="zh-CN")
    watcher = Watcher(context.new_page())
    watcher.visit(site.url + "/login")
    page = watcher.page
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{site.url}/")
    watcher.check("after logging in")
    context.close()


def test_no_page_has_a_csp_violation(watched: Watcher, site: Site) -> None:
    customer = site.record("crm", "customer", {"name": "宁波海曙贸易公司"})
    site.record("crm", "opportunity", {"name": "二期扩容", "customer": customer["id"], "stage": "初步接洽",
                                       "amount": "120000"})
    showcase = site.api.get("/apps/showcase").json()["definition"]["forms"][1]["key"]
    report = site.api.get("/apps/crm").json()["definition"]["reports"][0]["key"]
    pages = ["/", "/apps/crm", "/apps/crm/forms/customer", f"/apps/crm/forms/customer/records/{customer['id']}",
             f"/apps/crm/forms/customer/records/{customer['id']}/edit", "/apps/crm/forms/customer/records/new",
             f"/apps/showcase/forms/{showcase}/records/new", "/apps/crm/forms/opportunity/kanban/stage",
             "/apps/crm/builder/forms/customer", "/apps/crm/builder/forms/customer/preview", "/dashboards",
             f"/apps/crm/dashboards/{report}", "/inbox", "/inbox?tab=done", "/inbox?tab=mine", "/inbox?tab=cc",
             "/apps/crm/forms/quote/records/new",
             "/apps/crm/builder/flows",
             "/apps/crm/builder/flows/quote_approval", "/apps/nosuch"]
    for path in pages:
        watched.visit(site.url + path)


def test_the_list_filter_bar_works_without_eval(watched: Watcher, site: Site) -> None:
    ids = [site.record("crm", "customer", {"name": f"过滤{i}号", "level": level})["id"]
           for i, level in enumerate("ABA")]
    watched.visit(site.url + "/apps/crm/forms/customer?q=过滤")
    page = watched.page
    page.get_by_role("button", name="添加条件").click()
    page.get_by_role("button", name="添加条件").click()
    assert page.locator(".condition").count() == 2
    page.locator(".condition").nth(1).get_by_role("button").click()  # ✕ removes that row
    assert page.locator(".condition").count() == 1
    apply_condition(page, "level", "eq", "B")
    wait_until(page, "document.querySelectorAll('#list tbody tr[data-id]').length === 1")
    assert page.locator("#list tbody tr[data-id]").get_attribute("data-id") == str(ids[1])
    wait_until(page, "document.querySelector('.condition input') && document.querySelector('.condition input').value === 'B'")
    watched.check("after filtering")


def test_the_kanban_field_chooser_opens_another_board(watched: Watcher, site: Site) -> None:
    watched.visit(site.url + "/apps/crm/forms/customer/kanban/level")
    page = watched.page
    page.locator("#group-by").select_option(value="/apps/crm/forms/customer/kanban/region")
    page.wait_for_url(re.compile(r"/kanban/region$"))
    watched.check("after choosing another field")
