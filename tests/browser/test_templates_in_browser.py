"""进销存 and 项目管理 in a real browser, in Chinese: each installed from 模板库 on the home page into the
CRM, then its main path. 进销存: a purchase order entered on its form, approved, received with the 入库
button, the running stock on the product and the 库存看板. 项目管理: an opportunity won on the CRM's
kanban becomes a project, tasks are added, one moves on the task kanban, the 项目工作量 dashboard counts them."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Site
from tests.browser.drag import drag
from tests.browser.wait import wait_until


def _install(page: Any, site: Site, key: str, name: str) -> None:
    page.goto(site.url + "/")
    card = page.locator(f"section.template[data-template='{key}']")
    assert name in card.locator("h3").inner_text()
    assert "安装到应用“客户关系管理”" in card.inner_text()
    assert not card.get_by_label("同时加载示例数据").is_checked()  # offered; these paths start from empty forms
    with page.expect_navigation():
        card.get_by_role("button", name="安装").click()
    assert page.url.endswith("/apps/crm")
    page.goto(site.url + "/")
    assert card.locator(".badge").inner_text() == "已安装"


def _members(site: Site, role: str, *users: str) -> None:
    r = site.api.put(f"/apps/crm/roles/{role}/members", json={"users": list(users)})
    assert r.status_code == 200, r.text


def _reloads(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()


def _pick(page: Any, field: str, typed: str, option: str) -> None:
    page.locator(f"#f-{field}").fill(typed)
    page.get_by_role("option", name=option).click()


def _drawn(page: Any) -> None:
    wait_until(page, "document.getElementById('widgets').getAttribute('aria-busy') === 'false' && "
                     "document.getElementById('widgets').dataset.query !== undefined")


def _rows(page: Any, widget: str) -> list[list[str]]:
    return page.locator(f".widget[data-key='{widget}'] table tbody tr").evaluate_all(  # type: ignore[no-any-return]
        "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")


def test_a_purchase_order_is_approved_received_and_counted_in_stock(page: Any, site: Site, faults: list[str]) -> None:
    _install(page, site, "inventory", "进销存")
    _members(site, "purchasing_manager", "admin")
    _members(site, "warehouse_keeper", "admin")
    site.record("crm", "supplier", {"name": "深圳市讯达电子有限公司"})
    site.record("crm", "warehouse", {"name": "苏州总仓"})
    product = site.record("crm", "product", {"sku": "TG-HW-SCN", "name": "手持扫码终端", "reorder_level": 10})

    page.goto(f"{site.url}/apps/crm/forms/purchase_order/records/new")
    _pick(page, "supplier", "讯达", "深圳市讯达电子有限公司")
    _pick(page, "product", "扫码", "手持扫码终端")
    _pick(page, "warehouse", "苏州", "苏州总仓")
    page.get_by_label("采购数量").fill("30")
    page.get_by_label("采购单价").fill("2100")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    order = int(page.url.rsplit("/", 1)[1])

    _reloads(page, page.get_by_role("button", name="提交审批"))
    assert page.locator("h1 .approval-badge").inner_text() == "审批中"
    mine = page.locator(".my-task")
    mine.locator("textarea.comment").fill("同意采购")
    _reloads(page, mine.get_by_role("button", name="同意"))
    assert page.locator("h1 .approval-badge").inner_text() == "已通过"
    assert site.api.get(f"/apps/crm/forms/purchase_order/records/{order}").json()["data"]["status"] == "已批准"

    _reloads(page, page.get_by_role("button", name="入库"))
    data = site.api.get(f"/apps/crm/forms/purchase_order/records/{order}").json()["data"]
    assert data["status"] == "已入库" and data["received_qty"] == "30"

    page.goto(f"{site.url}/apps/crm/forms/product/records/{product['id']}")
    details = page.locator("section.card").first.inner_text()
    assert "当前库存" in details and "30" in details

    page.goto(f"{site.url}/apps/crm/dashboards/inventory")
    _drawn(page)
    assert page.locator(".widget[data-key='stock_by_warehouse']").count() == 1
    assert _rows(page, "stock_by_product") == [["手持扫码终端", "30"]]
    assert "苏州总仓" in page.locator(".widget[data-key='stock_by_warehouse'] table thead").inner_text()
    assert _rows(page, "stock_by_warehouse") == [["手持扫码终端", "30", "30"]]  # 苏州总仓, and the row's total
    assert _rows(page, "low_stock") == []  # 30 on hand, reorder level 10


def _move_card(page: Any, record_id: int, column: str) -> None:
    """Drag the card into `column` and wait until its PATCH has answered: the card moves at once, and its
    version changes only when the server has saved the move (a read before that still sees the old value)."""
    card = page.locator(f'.kcard[data-id="{record_id}"]')
    before = card.get_attribute("data-version")
    drag(page, card, page.locator(f'section.column[aria-label="{column}"] .cards'))
    wait_until(page, """([id, column, before]) => { const c = document.querySelector(`.kcard[data-id="${id}"]`);
        return c.closest('[data-value]').dataset.value === column && c.dataset.version !== before; }""",
               arg=[str(record_id), column, before])


def test_a_won_opportunity_becomes_a_project_whose_tasks_move_on_the_kanban(page: Any, site: Site,
                                                                           faults: list[str]) -> None:
    _install(page, site, "projects", "项目管理")
    customer = site.record("crm", "customer", {"name": "杭州云帆物流有限公司"})
    opp = site.record("crm", "opportunity", {"name": "云帆仓储扫码", "customer": customer["id"], "stage": "商务谈判",
                                             "amount": "320000", "manager": "zhang.wei"})
    page.goto(f"{site.url}/apps/crm/forms/opportunity/kanban/stage")
    _move_card(page, opp["id"], "赢单")

    page.goto(f"{site.url}/apps/crm/forms/project")
    link = page.get_by_role("link", name="云帆仓储扫码 实施项目")
    link.wait_for()
    [project] = site.api.get("/apps/crm/forms/project/records").json()["items"]
    assert project["data"]["opportunity"]["id"] == opp["id"] and project["data"]["manager"] == "zhang.wei"

    page.goto(f"{site.url}/apps/crm/forms/task/records/new")
    page.get_by_label("任务名称").fill("需求调研")
    _pick(page, "project", "云帆", "云帆仓储扫码 实施项目")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(re.compile(r"/records/\d+$"))
    first = int(page.url.rsplit("/", 1)[1])
    site.record("crm", "task", {"name": "系统配置", "project": project["id"], "assignee": "zhang.wei",
                                "due_on": "2020-01-01"})
    site.api.patch(f"/apps/crm/forms/task/records/{first}", json={"data": {"assignee": "zhang.wei"}})

    page.goto(f"{site.url}/apps/crm/forms/task/kanban/status")
    assert page.locator(f'.kcard[data-id="{first}"]').locator("xpath=..").get_attribute("data-value") == "待办"
    _move_card(page, first, "进行中")
    assert site.api.get(f"/apps/crm/forms/task/records/{first}").json()["data"]["status"] == "进行中"

    page.goto(f"{site.url}/apps/crm/dashboards/workload")
    _drawn(page)
    assert page.locator(".widget[data-key='open_tasks'] .kpi-value").inner_text() == "2"
    assert page.locator(".widget[data-key='overdue'] .kpi-value").inner_text() == "1"
    rows = _rows(page, "open_by_owner")
    assert rows[0][:3] == ["张伟", "2", "1"]


def test_removing_inventory_shows_what_goes_and_its_records_then_takes_it_out(page: Any, site: Site,
                                                                             faults: list[str]) -> None:
    """Last in this file: 进销存 (installed by the first test, its forms holding records) is taken out of the CRM
    on 升级模板; 项目管理 stays."""
    if "supplier" not in {f["key"] for f in site.api.get("/apps/crm").json()["definition"]["forms"]}:
        _install(page, site, "inventory", "进销存")
        site.record("crm", "supplier", {"name": "宁波甬达五金有限公司"})
    page.goto(f"{site.url}/apps/crm/builder/upgrade")
    row = page.locator('#addons tr[data-addon="inventory"]')
    assert "进销存" in row.inner_text()
    row.get_by_role("button", name="移除").click()
    dialog = page.locator("#addon-removal")
    dialog.wait_for()
    assert "移除扩展模板 进销存" in dialog.locator("h2").inner_text()
    assert dialog.locator("code", has_text="forms: purchase_order").count() == 1
    assert dialog.locator("code", has_text="fields: product.stock_qty").count() == 1
    assert "条记录" in dialog.locator("#addon-removal-records").inner_text()
    _reloads(page, dialog.get_by_role("button", name="移除"))
    assert page.locator('#addons tr[data-addon="inventory"]').count() == 0
    forms = {f["key"] for f in site.api.get("/apps/crm").json()["definition"]["forms"]}
    assert "purchase_order" not in forms and "product" in forms
    page.goto(site.url + "/")
    assert page.locator("section.template[data-template='inventory'] button", has_text="安装").count() == 1
