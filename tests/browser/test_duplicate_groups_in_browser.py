"""查重 in a real browser (CRM template, in Chinese): the first visit offers 开始查重; the scan runs in the
background with its progress shown (also after leaving the page and coming back), then the page shows the
groups it found with 生成于; 合并 opens the merge page for a group, and once merged the group is gone; 重新查重
finds a duplicate added since."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from runtime.jobs import worker
from tests.browser.conftest import Site

CUSTOMERS = "/apps/crm/forms/customer"


def _run_jobs(site: Site) -> None:
    # the browser tests' server runs no worker thread: run the due jobs as `tangram worker` would
    assert worker.run_due(site.app.state.db, site.app.state.settings, datetime.now(UTC)) >= 1


def test_scan_in_the_background_then_merge_a_group_and_it_is_gone(page: Any, site: Site) -> None:
    keep = site.record("crm", "customer", {"name": "苏州恒瑞精密机械有限公司"})
    other = site.api.post(
        "/apps/crm/forms/customer/records",
        params={"allow_duplicates": "true"},
        json={"data": {"name": "恒瑞精密机械(苏州)有限公司"}},
    ).json()
    site.record("crm", "customer", {"name": "成都天府软件有限公司"})
    page.goto(f"{site.url}{CUSTOMERS}")
    page.get_by_role("link", name="查重").click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/duplicates")
    assert page.get_by_text("尚未查重").is_visible()
    assert page.locator(".dup-group").count() == 0

    page.get_by_role("button", name="开始查重").click()
    page.get_by_text("正在查重").wait_for()
    assert page.locator("#dup-progress").is_visible()
    page.goto(f"{site.url}{CUSTOMERS}")  # the user leaves; coming back, the scan is still followed
    page.goto(f"{site.url}{CUSTOMERS}/duplicates")
    page.get_by_text("正在查重").wait_for()
    _run_jobs(site)
    page.get_by_text("生成于").wait_for()  # the page reloads on the groups once the scan is done
    group = page.locator(".dup-group")
    assert group.count() == 1
    assert group.get_by_role("link", name="苏州恒瑞精密机械有限公司").is_visible()
    assert group.get_by_role("link", name="恒瑞精密机械(苏州)有限公司").is_visible()
    assert page.get_by_text("成都天府软件有限公司").count() == 0
    assert page.get_by_role("button", name="重新查重").is_visible()

    group.get_by_role("link", name="合并").click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/merge?ids={keep['id']},{other['id']}")
    page.get_by_role("button", name="合并", exact=True).click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/records/*")
    page.goto(f"{site.url}{CUSTOMERS}/duplicates")
    assert page.locator(".dup-group").count() == 0  # merged since the scan: gone without scanning again
    assert page.get_by_text("没有发现可能重复的记录").is_visible()

    site.api.post(
        "/apps/crm/forms/customer/records",
        params={"allow_duplicates": "true"},
        json={"data": {"name": "成都天府软件(中国)有限公司"}},
    )
    page.get_by_role("button", name="重新查重").click()
    page.get_by_text("正在查重").wait_for()
    _run_jobs(site)
    page.locator(".dup-group").wait_for()
    assert page.locator(".dup-group").get_by_role("link", name="成都天府软件(中国)有限公司").is_visible()
