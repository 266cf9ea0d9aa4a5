"""The app's flow list (流程设计), the designer's 导出 and its trial record search, in Chinese: switch a flow
off, copy it (the copy is off), delete the copy after saying which flow it deletes, and a flow with a running
instance is not deleted — the page says how many run. The designer's export shows the flow's definition
exactly as the API holds it; the trial's record is found by its title."""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import Site
from tests.browser.signed_in import signed_in_page


def _draft(site: Site, key: str) -> dict[str, Any] | None:
    items = site.api.get("/apps/crm/draft/flows").json()["items"]
    return next((i["flow"] for i in items if i["flow"]["key"] == key), None)


def test_switch_off_copy_delete_and_a_running_flow_is_kept_with_its_count(site: Site, browser: Any) -> None:
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/builder/flows")
    with page.expect_navigation():
        page.locator('tr[data-flow="lead_nurture"] input.enabled').uncheck()
    assert not page.locator('tr[data-flow="lead_nurture"] input.enabled').is_checked()
    assert _draft(site, "lead_nurture")["enabled"] is False  # type: ignore[index]

    page.once("dialog", lambda d: d.accept("contract_approval_2"))
    with page.expect_navigation():
        page.locator('tr[data-flow="contract_approval"] button.copy').click()
    copy = page.locator('tr[data-flow="contract_approval_2"]')
    assert "合同审批（副本）" in copy.inner_text() and not copy.locator("input.enabled").is_checked()
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    with page.expect_navigation():
        copy.locator("button.remove").click()
    assert asked == ["删除流程“合同审批（副本）”？"]
    assert page.locator('tr[data-flow="contract_approval_2"]').count() == 0 and _draft(site, "contract_approval_2") is None

    assert site.api.put("/apps/crm/roles/sales_manager/members", json={"users": ["zhang.wei"]}).status_code == 200
    customer = site.record("crm", "customer", {"name": "无锡运行中机电有限公司"})
    quote = site.record("crm", "quote", {"customer": customer["id"], "lines": [{"item": "电机", "qty": 1,
                                                                               "unit_price": "1000"}]})
    r = site.api.post("/apps/crm/flows/quote_approval/instances", json={"record_id": quote["id"]})
    assert r.status_code == 201, r.text
    page.reload()
    assert "1 个运行中（第 1 版）" in page.locator('tr[data-flow="quote_approval"]').inner_text()
    page.once("dialog", lambda d: d.accept())
    page.locator('tr[data-flow="quote_approval"] button.remove').click()
    error = page.locator('[data-error-for="flows"]')
    error.filter(has_text="1 个实例在运行").wait_for()
    assert _draft(site, "quote_approval") is not None
    assert site.api.post(f"/flow-instances/{r.json()['id']}/cancel", json={}).status_code == 200
    assert faults == []
    page.context.close()


def test_the_designers_export_is_the_flow_definition_the_api_holds(site: Site, browser: Any) -> None:
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/builder/flows/lead_conversion")
    page.locator("#flow-export summary").click()
    assert json.loads(page.locator("#flow-json").input_value()) == _draft(site, "lead_conversion")
    assert faults == []
    page.context.close()


def test_the_trial_record_is_found_by_its_title(site: Site, browser: Any) -> None:
    lead = site.record("crm", "lead", {"company": "常州试运行精密科技有限公司", "contact_name": "顾明"})
    faults: list[str] = []
    page = signed_in_page(browser, site.url, "admin", faults)
    page.goto(f"{site.url}/apps/crm/builder/flows/lead_conversion")
    page.get_by_label("找一条记录").fill("试运行精密")
    page.locator("#trial-found").get_by_role("button", name=f"常州试运行精密科技有限公司 #{lead['id']}").click()
    assert page.locator("#trial-record").input_value() == str(lead["id"])
    page.locator("#trial").get_by_role("button", name="试运行").click()
    page.locator("#trial-result .trial-status").wait_for()
    assert page.locator(".node.on-path").count() > 0
    assert faults == []
    page.context.close()
