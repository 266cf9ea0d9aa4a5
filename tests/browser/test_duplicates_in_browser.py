"""查重与合并 in a real browser (CRM template): 可能重复 when creating 恒瑞精密机械(苏州)有限公司 next to
苏州恒瑞精密机械有限公司, saving anyway; merging the two customers side by side and finding both companies'
contacts on the survivor; finding a customer by its pinyin initials in the list and in a relation picker."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site

CUSTOMERS = "/apps/crm/forms/customer"


def test_a_likely_duplicate_is_shown_and_can_be_saved_anyway(page: Any, site: Site) -> None:
    kept = site.record("crm", "customer", {"name": "苏州恒瑞精密机械有限公司"})
    page.goto(f"{site.url}{CUSTOMERS}/records/new")
    page.get_by_label("客户名称").fill("恒瑞精密机械(苏州)有限公司")
    page.get_by_role("button", name="保存", exact=True).click()
    warning = page.locator("#duplicate-warning")
    warning.get_by_text("可能重复").wait_for()
    link = warning.get_by_role("link", name="苏州恒瑞精密机械有限公司")
    assert link.get_attribute("href") == f"{CUSTOMERS}/records/{kept['id']}"
    assert "/records/new" in page.url  # nothing saved yet
    warning.get_by_role("button", name="仍然保存").click()
    page.wait_for_url(re.compile(r".*/records/\d+$"))
    assert page.get_by_text("恒瑞精密机械(苏州)有限公司").first.is_visible()


def test_two_customers_are_merged_and_the_survivor_has_both_contacts(page: Any, site: Site) -> None:
    keep = site.record("crm", "customer", {"name": "无锡新华机床有限公司", "phone": "0510-88886666"})
    other = site.api.post(
        "/apps/crm/forms/customer/records",
        params={"allow_duplicates": "true"},
        json={"data": {"name": "新华机床(无锡)有限公司", "phone": "0510-88880000"}},
    ).json()
    site.record("crm", "contact", {"name": "周杰", "customer": keep["id"]})
    site.record("crm", "contact", {"name": "吴敏", "customer": other["id"]})
    page.goto(f"{site.url}{CUSTOMERS}?q=新华机床")
    page.get_by_label(f"#{keep['id']}", exact=True).check()
    page.get_by_label(f"#{other['id']}", exact=True).check()
    page.get_by_role("button", name="合并").click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/merge?ids=*")
    page.locator(f"input[name='survivor'][value='{keep['id']}']").check()  # 保留此条
    page.locator(f"tr[data-field='phone'] input[value='{other['id']}']").check()  # keep the other's number
    page.get_by_role("button", name="合并", exact=True).click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/records/{keep['id']}")
    assert page.get_by_text("0510-88880000").first.is_visible()
    for name in ("周杰", "吴敏"):  # the related contacts list on the survivor's page
        assert page.get_by_role("link", name=name).first.is_visible()
    assert site.api.get(f"/apps/crm/forms/customer/records/{other['id']}").status_code == 404  # in the bin


def test_a_customer_is_found_by_its_pinyin_initials(page: Any, site: Site) -> None:
    site.record("crm", "customer", {"name": "杭州海康威视数字技术股份有限公司"})
    page.goto(f"{site.url}{CUSTOMERS}?q=hkws")
    assert page.get_by_role("link", name="杭州海康威视数字技术股份有限公司").first.is_visible()
    page.goto(f"{site.url}/apps/crm/forms/contact/records/new")
    picker = page.locator(".field[data-field='customer'] input[type='search']")
    picker.fill("hzhk")
    option = page.get_by_role("option", name="杭州海康威视数字技术股份有限公司")
    option.wait_for()
    assert option.is_visible()


def test_likely_duplicates_show_as_the_name_is_typed_and_a_save_still_asks(page: Any, site: Site) -> None:
    """The hint comes from the record's preview while typing (no 仍然保存: nothing is being saved), goes
    away for a name like no other, never names the record being edited, and a save made before the hint
    answers keeps its refusal's 仍然保存."""
    stored = site.record("crm", "customer", {"name": "宁波舜宇光学科技有限公司"})
    page.goto(f"{site.url}{CUSTOMERS}/records/new")
    warning = page.locator("#duplicate-warning")
    name = page.get_by_label("客户名称")
    name.fill("舜宇光学科技（宁波）有限公司")
    warning.get_by_role("link", name="宁波舜宇光学科技有限公司").wait_for()
    assert "保存前请确认" in warning.inner_text()
    assert warning.get_by_role("button", name="仍然保存").count() == 0
    name.fill("呼伦贝尔草原乳业合作社")
    warning.wait_for(state="hidden")

    name.fill("舜宇光学科技（宁波）有限公司")
    page.get_by_role("button", name="保存", exact=True).click()  # within the preview's 300 ms
    warning.get_by_role("button", name="仍然保存").wait_for()
    page.wait_for_timeout(600)  # past the preview that the save cancelled
    assert warning.get_by_role("button", name="仍然保存").is_visible()

    page.goto(f"{site.url}{CUSTOMERS}/records/{stored['id']}/edit")
    edited = page.get_by_label("客户名称")
    with page.expect_response(lambda r: "/records/preview?record_id=" in r.url) as answer:
        edited.fill("宁波舜宇光学科技有限公司 ")
    assert answer.value.json()["duplicates"] == []  # not its own duplicate
    assert warning.is_hidden()
