"""CRM 的线索转化，在浏览器里由销售本人完成：线索页上的“转化为客户”按钮（按钮触发的流程）新建客户、联系人和商机，
把线索标为 已转化 并关联这三条记录；按钮随后不再出现。同一公司的第二条线索转化时关联已有的客户，不再新建。"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PASSWORD, Site
from tests.browser.signed_in import signed_in_page

REP = "liu.xiaoshou"
COMPANY = "苏州天成精密机械有限公司"


@pytest.fixture(scope="module")
def rep(site: Site) -> Iterator[httpx.Client]:
    r = site.api.post("/users", json={"username": REP, "password": PASSWORD, "display_name": "刘销售"})
    assert r.status_code == 201, r.text
    r = site.api.put("/apps/crm/roles/sales_rep/members", json={"users": [REP]})
    assert r.status_code == 200, r.text
    token = httpx.post(f"{site.url}/api/v1/auth/login", json={"username": REP, "password": PASSWORD}).json()
    with httpx.Client(base_url=f"{site.url}/api/v1", headers={"Authorization": f"Bearer {token['access_token']}"}) as c:
        yield c


def _lead(rep: httpx.Client, contact: str, mobile: str) -> int:
    r = rep.post("/apps/crm/forms/lead/records", json={"data": {
        "company": COMPANY, "contact_name": contact, "mobile": mobile, "source": "展会", "region": "华东",
        "assignee": REP}})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _convert_on_the_page(page: Any, site: Site, lead: int) -> dict[str, Any]:
    """On the lead's page: the button, the page reloads; the lead as the API then holds it."""
    page.goto(f"{site.url}/apps/crm/forms/lead/records/{lead}")
    with page.expect_navigation():
        page.get_by_role("button", name="转化为客户").click()
    return site.api.get(f"/apps/crm/forms/lead/records/{lead}").json()["data"]  # type: ignore[no-any-return]


def test_the_rep_converts_a_lead_with_its_button_and_a_second_one_links_the_customer(
        site: Site, browser: Any, rep: httpx.Client) -> None:
    faults: list[str] = []
    page = signed_in_page(browser, site.url, REP, faults)
    first = _lead(rep, "张伟", "13812345678")
    data = _convert_on_the_page(page, site, first)
    assert data["status"] == "已转化"
    customer, contact, deal = (data[k]["id"] for k in ("customer", "contact", "opportunity"))

    # The page shows the lead converted, links the three records, and offers the button no more.
    main = page.locator("main")
    assert "已转化" in main.inner_text()
    for form, rid in (("customer", customer), ("contact", contact), ("opportunity", deal)):
        assert main.locator(f'a[href$="/apps/crm/forms/{form}/records/{rid}"]').count() >= 1, form
    assert page.get_by_role("button", name="转化为客户").count() == 0

    # Following the link: the opportunity the conversion made, named after the company, the rep's own.
    main.locator(f'a[href$="/opportunity/records/{deal}"]').first.click()
    page.wait_for_url(f"**/opportunity/records/{deal}")
    assert f"{COMPANY} 新商机" in page.locator("h1").inner_text()
    contact_data = site.api.get(f"/apps/crm/forms/contact/records/{contact}").json()["data"]
    assert (contact_data["name"], contact_data["customer"]["id"]) == ("张伟", customer)

    # A second lead of the same company: the existing customer is linked, not made again.
    second = _lead(rep, "李娜", "13987654321")
    again = _convert_on_the_page(page, site, second)
    assert again["status"] == "已转化" and again["customer"]["id"] == customer
    assert again["contact"]["id"] != contact and again["opportunity"]["id"] != deal
    names = [c["data"]["name"] for c in site.api.get("/apps/crm/forms/customer/records").json()["items"]]
    assert names.count(COMPANY) == 1
    assert faults == []
    page.context.close()
