"""发起人自选 in the pages, in Chinese: the administrator lets the submitter choose the CRM quote approval's
财务审批 in the designer and publishes; a rep presses 提交审批 on a quote, picks the finance clerk in the form
that asks, and the task reaches that clerk and no other; 保存并提交 of a new quote opens its page with the
same question. Users and role members are arranged through the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PASSWORD, Site
from tests.browser.people import set_people
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until

REP, MANAGER, CLERKS = "li.xiao", "wang.zhuguan", ("qian.caiwu", "sun.caiwu")
PEOPLE = {REP: ("李小", "sales_rep"), MANAGER: ("王主管", "sales_manager"), CLERKS[0]: ("钱会计", "finance"),
          CLERKS[1]: ("孙出纳", "finance")}


@pytest.fixture(scope="module")
def people(site: Site) -> Iterator[dict[str, httpx.Client]]:
    for name, (display, _) in PEOPLE.items():
        r = site.api.post("/users", json={"username": name, "password": PASSWORD, "display_name": display})
        assert r.status_code == 201, r.text
    for role in {role for _, role in PEOPLE.values()}:
        r = site.api.put(f"/apps/crm/roles/{role}/members",
                         json={"users": [n for n, (_, r) in PEOPLE.items() if r == role]})
        assert r.status_code == 200, r.text
    clients = {}
    for name in PEOPLE:
        token = httpx.post(f"{site.url}/api/v1/auth/login", json={"username": name, "password": PASSWORD}).json()
        clients[name] = httpx.Client(base_url=f"{site.url}/api/v1",
                                     headers={"Authorization": f"Bearer {token['access_token']}"})
    yield clients
    for client in clients.values():
        client.close()


def open_tasks(client: httpx.Client) -> list[dict[str, Any]]:
    return client.get("/tasks", params={"assignee": "me", "status": "open"}).json()["items"]  # type: ignore[no-any-return]


def test_the_submitter_picks_the_finance_approver_when_submitting_a_quote(site: Site, browser: Any,
                                                                         people: dict[str, httpx.Client]) -> None:
    faults: list[str] = []
    admin = signed_in_page(browser, site.url, "admin", faults)
    admin.goto(f"{site.url}/apps/crm/builder/flows/quote_approval")
    finance = admin.locator('.node[data-path="steps[2]"]')
    finance.locator("> .card").click()
    panel = admin.locator("#step-fields")
    chosen = panel.get_by_label("发起人自选（提交时选择）")
    chosen.check()
    panel.get_by_label("角色", exact=True).select_option([])
    with admin.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        admin.locator("#step-panel").get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    wait_until(admin, "document.querySelector('.node[data-path=\"steps[2]\"]').textContent.includes('发起人自选')")
    admin.locator("#publish").click()
    wait_until(admin, "document.getElementById('toast').textContent.includes('已发布')")
    flow = next(f for f in site.api.get("/apps/crm").json()["definition"]["flows"] if f["key"] == "quote_approval")
    assert flow["steps"][2]["approvers"] == {"chosen": True}

    customer = people[REP].post("/apps/crm/forms/customer/records", json={"data": {"name": "苏州自选精密有限公司"}})
    assert customer.status_code == 201, customer.text
    quote = people[REP].post("/apps/crm/forms/quote/records", json={"data": {
        "customer": customer.json()["id"], "lines": [{"item": "导轨", "qty": 1, "unit_price": "30000"}]}}).json()["id"]
    rep = signed_in_page(browser, site.url, REP, faults)
    rep.goto(f"{site.url}/apps/crm/forms/quote/records/{quote}")
    rep.get_by_role("button", name="提交审批").click()
    chooser = rep.locator("form[data-choose-for=quote_approval]")
    assert chooser.is_visible() and people[MANAGER].get("/tasks", params={"status": "open"}).json()["items"] == []
    set_people(chooser, "财务审批", [CLERKS[1]], query={CLERKS[1]: "孙出纳"})
    with rep.expect_navigation():
        chooser.get_by_role("button", name="提交审批").click()
    assert rep.locator("h1 .approval-badge").inner_text() == "审批中"

    [task] = open_tasks(people[MANAGER])
    assert people[MANAGER].post(f"/tasks/{task['id']}/approve", json={"comment": "同意"}).status_code == 200
    assert [t["record_id"] for t in open_tasks(people[CLERKS[1]])] == [quote]
    assert open_tasks(people[CLERKS[0]]) == []

    # 保存并提交 of a new quote: the record is saved, and its page asks for the people before submitting.
    rep.goto(f"{site.url}/apps/crm/forms/quote/records/new?customer={customer.json()['id']}")
    rep.get_by_role("button", name="保存并提交").click()
    rep.wait_for_url(lambda url: url.rsplit("/", 1)[1].isdigit())
    chooser = rep.locator("form[data-choose-for=quote_approval]")
    chooser.wait_for()
    assert chooser.is_visible() and rep.locator("h1 .approval-badge").count() == 0
    assert faults == []
    admin.context.close()
    rep.context.close()
