"""A hook's relation looked up by a field of the related record, set in the 接收接口 editor in Chinese: the
manager maps 订单.客户 ← the ERP's customer name and chooses 按字段查找：客户名称 with 找不到时新建; the saved
hook holds the lookup, opening and saving it again changes nothing (the parts the editor does not show, such
as the lookup's `create` fields, come back as they were), and a delivery naming the customer by name is written
with that customer."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Site
from tests.browser.wait import wait_until


def saved_hook(site: Site) -> dict[str, Any]:
    items = site.api.get("/apps/crm/hooks").json()["items"]
    return {k: v for k, v in next(h for h in items if h["key"] == "erp_orders_by_name").items()
            if k not in ("url", "secret_set_at")}


def test_a_manager_sets_a_lookup_on_a_relation_and_it_round_trips(page: Any, site: Site) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    customer = site.record("crm", "customer", {"name": "苏州恒瑞精密机械有限公司"})
    page.goto(f"{site.url}/apps/crm/hooks")
    page.get_by_label("标识").fill("erp_orders_by_name")
    page.get_by_label("名称", exact=True).fill("ERP 订单（按客户名称）")
    page.get_by_label("写入表单").select_option(label="订单")
    page.get_by_label("认证方式").select_option(label="Bearer 令牌")
    row = page.locator("#hk-mapping tbody tr").first
    row.locator(".hk-field").select_option("amount")
    expect(row.locator(".hk-lookup-cell")).to_be_hidden()  # not a relation: nothing to look up
    row.locator(".hk-field").select_option("customer")
    row.locator(".hk-expr").fill("payload.order.customer_name")
    expect(row.locator(".hk-lookup-cell")).to_be_visible()
    row.locator(".hk-lookup").select_option(label="按字段查找：客户名称")
    row.get_by_label("找不到时新建").check()
    page.get_by_role("button", name="保存接口").click()
    expect(page.locator("#hk-secret")).to_contain_text("whsec_")
    secret = page.locator("#hk-secret").inner_text().strip()
    hook = saved_hook(site)
    assert hook["lookups"] == {"customer": {"by": "name", "create": {}}}

    # A lookup whose `create` names fields (set through the API) survives an edit in the page.
    hook["lookups"]["customer"]["create"] = {"note": '"ERP 推送"'}
    hook["description"] = "由 ERP 调用"
    body = {k: v for k, v in hook.items() if k != "key"}
    assert site.api.put("/apps/crm/hooks/erp_orders_by_name", json=body).status_code == 200
    page.reload()
    page.locator("[data-edit=erp_orders_by_name]").click()
    row = page.locator("#hk-mapping tbody tr").first
    expect(row.locator(".hk-lookup")).to_have_value("name")
    expect(row.get_by_label("找不到时新建")).to_be_checked()
    page.get_by_role("button", name="保存接口").click()
    wait_until(page, "!document.getElementById('hk-key').readOnly")  # saved, the page loaded again
    again = saved_hook(site)
    assert again["lookups"] == {"customer": {"by": "name", "create": {"note": '"ERP 推送"'}}}
    assert again["description"] == "由 ERP 调用"

    r = httpx.post(f"{site.url}/api/v1/hooks/crm/erp_orders_by_name", headers={"Authorization": f"Bearer {secret}"},
                   json={"order": {"customer_name": "苏州恒瑞精密机械有限公司"}})
    assert r.status_code == 201, r.text
    order = site.api.get(f"/apps/crm/forms/order/records/{r.json()['record_id']}").json()
    assert order["data"]["customer"]["id"] == customer["id"]
    assert not errors
