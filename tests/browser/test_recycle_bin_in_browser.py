"""回收站 in a real browser (CRM template): a deleted customer is found in the bin from the list page and
restored; a merged customer shows 已合并到 <survivor> in the bin, and 撤销合并 brings it and its contact back."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site

CUSTOMERS = "/apps/crm/forms/customer"


def test_a_deleted_customer_is_found_in_the_bin_and_restored(page: Any, site: Site) -> None:
    gone = site.record("crm", "customer", {"name": "常州天宇电子有限公司"})
    assert site.api.delete(f"/apps/crm/forms/customer/records/{gone['id']}").status_code == 200
    page.goto(f"{site.url}{CUSTOMERS}")
    page.get_by_role("link", name="回收站").click()
    page.wait_for_url(f"{site.url}{CUSTOMERS}/bin")
    page.get_by_label("搜索").fill("天宇")
    page.get_by_role("button", name="搜索").click()
    row = page.locator(f"#bin tr[data-id='{gone['id']}']")
    assert row.get_by_text("常州天宇电子有限公司").is_visible()
    row.get_by_label(f"#{gone['id']}").check()
    page.get_by_role("button", name="恢复所选").click()
    page.get_by_text("回收站是空的").wait_for()
    assert site.api.get(f"/apps/crm/forms/customer/records/{gone['id']}").status_code == 200


def test_a_merge_is_undone_from_the_bin(page: Any, site: Site) -> None:
    keep = site.record("crm", "customer", {"name": "宁波海天塑机集团有限公司"})
    other = site.api.post(
        "/apps/crm/forms/customer/records",
        params={"allow_duplicates": "true"},
        json={"data": {"name": "海天塑机(宁波)有限公司"}},
    ).json()
    contact = site.record("crm", "contact", {"name": "陈静", "customer": other["id"]})
    merged = site.api.post("/apps/crm/forms/customer/merge", json={"survivor": keep["id"], "merged": [other["id"]]})
    assert merged.status_code == 200, merged.text
    page.goto(f"{site.url}{CUSTOMERS}/bin?q=海天")
    row = page.locator(f"#bin tr[data-id='{other['id']}']")
    assert row.get_by_text("已合并到").is_visible()
    link = row.get_by_role("link", name="宁波海天塑机集团有限公司")
    assert link.get_attribute("href") == f"{CUSTOMERS}/records/{keep['id']}"
    row.get_by_role("button", name="撤销合并").click()
    page.get_by_text("回收站是空的").wait_for()
    assert site.api.get(f"/apps/crm/forms/customer/records/{other['id']}").status_code == 200
    back = site.api.get(f"/apps/crm/forms/contact/records/{contact['id']}").json()
    assert back["data"]["customer"]["id"] == other["id"]
