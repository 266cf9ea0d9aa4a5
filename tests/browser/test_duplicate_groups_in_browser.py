"""查重 in a real browser (CRM template, in Chinese): from the customer list, 查重 shows the customers that
likely duplicate each other in one group, and 合并 opens the merge page for that group."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site

CUSTOMERS = "/apps/crm/forms/customer"


def test_the_duplicates_page_groups_likely_duplicates_and_leads_to_their_merge(page: Any, site: Site) -> None:
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
    group = page.locator(".dup-group")
    assert group.count() == 1
    assert group.get_by_role("link", name="苏州恒瑞精密机械有限公司").is_visible()
    assert group.get_by_role("link", name="恒瑞精密机械(苏州)有限公司").is_visible()
    assert page.get_by_text("成都天府软件有限公司").count() == 0
    group.get_by_role("link", name="合并").click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/merge?ids={keep['id']},{other['id']}")
