"""审批在浏览器里：业务员在记录页提交审批，经理在记录页同意；另一条在待办里驳回，业务员看到“已驳回”，修改后
重新提交，再撤回一条；经理退回一条，业务员修改后在同一审批上重新提交；列表里的审批状态标记；待办里批量同意两条；390 像素宽的手机上也能审批。"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PASSWORD, Site
from tests.browser.people import set_people
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until

APP = {
    "format": "tangram/app@1", "key": "expense", "name": "费用报销", "version": "1.0.0",
    "forms": [{"key": "claim", "name": "报销单", "title_field": "title", "fields": [
        {"key": "title", "type": "text", "label": "事由", "required": True},
        {"key": "amount", "type": "money", "label": "金额"},
    ]}],
    "flows": [{"key": "claim_approval", "name": "报销审批", "form": "claim", "trigger": {"on": "submit"},
               "steps": [{"type": "approval", "key": "manager", "name": "经理审批",
                          "approvers": {"users": ["li.jingli"]}}]}],
    "roles": [{"key": "staff", "name": "员工", "permissions": {"*": {"create": True, "read": "all", "update": "all"}}}],
}
REP, MANAGER = "xiao.wang", "li.jingli"


class People:
    """The two users' API clients (to arrange data as they would) and a way to open a browser as either."""

    def __init__(self, site: Site, browser: Any) -> None:
        self.site, self.browser = site, browser
        self.api: dict[str, httpx.Client] = {}
        self.faults: list[str] = []
        for name, display in ((REP, "王小"), (MANAGER, "李经理")):
            r = site.api.post("/users", json={"username": name, "password": PASSWORD, "display_name": display})
            assert r.status_code == 201, r.text
            token = httpx.post(f"{site.url}/api/v1/auth/login", json={"username": name, "password": PASSWORD}).json()
            self.api[name] = httpx.Client(base_url=f"{site.url}/api/v1",
                                          headers={"Authorization": f"Bearer {token['access_token']}"})
        r = site.api.put("/apps/expense/roles/staff/members", json={"users": [REP, MANAGER]})
        assert r.status_code == 200, r.text

    def page(self, name: str, width: int = 1280, height: int = 900) -> Any:
        return signed_in_page(self.browser, self.site.url, name, self.faults, width, height)

    def claim(self, title: str, amount: str = "800") -> int:
        r = self.api[REP].post("/apps/expense/forms/claim/records", json={"data": {"title": title, "amount": amount}})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def submit(self, record_id: int) -> dict[str, Any]:
        r = self.api[REP].post("/apps/expense/flows/claim_approval/instances", json={"record_id": record_id})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def status(self, record_id: int) -> str:
        items = self.site.api.get(f"/apps/expense/forms/claim/records/{record_id}/flows").json()["items"]
        return str(items[-1]["status"])

    def record_url(self, record_id: int) -> str:
        return f"{self.site.url}/apps/expense/forms/claim/records/{record_id}"


@pytest.fixture(scope="module")
def people(site: Site, browser: Any) -> Iterator[People]:
    assert site.api.post("/apps", json=APP).status_code == 201
    found = People(site, browser)
    yield found
    assert found.faults == []
    for client in found.api.values():
        client.close()


def reloads(page: Any, button: Any) -> None:
    """Click a button whose success reloads the page (approvals.js), and wait for the new page."""
    with page.expect_navigation():
        button.click()


def badge(page: Any) -> str:
    return str(page.locator("h1 .approval-badge").inner_text())


def test_rep_submits_from_the_record_page_and_the_manager_approves_there(people: People) -> None:
    trip = people.claim("客户拜访差旅")
    rep = people.page(REP)
    rep.goto(people.record_url(trip))
    reloads(rep, rep.get_by_role("button", name="提交审批"))
    assert badge(rep) == "审批中"
    assert "经理审批" in rep.locator("#approvals .entry.pending").inner_text()
    assert rep.get_by_role("button", name="撤回").is_visible()

    manager = people.page(MANAGER)
    assert manager.locator("#inbox-count").inner_text() == "1"  # 顶栏的待办数
    manager.goto(people.record_url(trip))
    mine = manager.locator(".my-task")
    mine.locator("textarea.comment").fill("同意报销")
    reloads(manager, mine.get_by_role("button", name="同意"))
    assert badge(manager) == "已通过"
    progress = manager.locator("#approvals .progress").inner_text()
    assert "李经理" in progress and "同意报销" in progress
    assert people.status(trip) == "approved"
    rep.context.close()
    manager.context.close()


def test_rejected_from_the_inbox_then_edited_resubmitted_and_one_withdrawn(people: People) -> None:
    rep = people.page(REP)
    rep.goto(f"{people.site.url}/apps/expense/forms/claim/records/new")
    rep.get_by_label("事由").fill("团建聚餐")
    rep.get_by_label("金额").fill("5000")
    with rep.expect_navigation():
        rep.get_by_role("button", name="保存并提交").click()  # 保存并提交：先保存，再提交审批
    assert badge(rep) == "审批中"
    dinner = int(rep.url.rsplit("/", 1)[1])

    manager = people.page(MANAGER)
    manager.goto(f"{people.site.url}/inbox")
    task = manager.locator("li.task", has=manager.locator(f'a[href$="/records/{dinner}"]'))
    task.locator("input.comment").fill("超出标准")
    task.get_by_role("button", name="驳回").click()
    task.wait_for(state="detached")
    manager.context.close()

    rep.reload()
    assert badge(rep) == "已驳回"
    assert "超出标准" in rep.locator("#approvals .progress").inner_text()
    rep.get_by_role("link", name="编辑").first.click()
    rep.get_by_label("金额").fill("3000")
    rep.get_by_role("button", name="保存", exact=True).click()
    rep.wait_for_url(people.record_url(dinner))
    reloads(rep, rep.get_by_role("button", name="提交审批"))
    assert badge(rep) == "审批中"
    assert people.status(dinner) == "running"

    # 审批中的记录：编辑页所有字段只读
    rep.goto(people.record_url(dinner) + "/edit")
    assert rep.locator("#under-approval").is_visible()
    assert rep.get_by_label("金额").is_disabled()

    rep.goto(people.record_url(dinner))
    rep.once("dialog", lambda dialog: dialog.accept())
    reloads(rep, rep.get_by_role("button", name="撤回"))
    assert badge(rep) == "已撤回"
    assert people.status(dinner) == "cancelled"

    # 列表里的审批状态标记
    rep.goto(f"{people.site.url}/apps/expense/forms/claim")
    row = rep.locator(f'tr[data-id="{dinner}"]')
    assert row.locator(".approval-badge").inner_text() == "已撤回"
    rep.context.close()


def test_the_manager_approves_two_tasks_at_once_from_the_inbox(people: People) -> None:
    ids = [people.claim(title) for title in ("打印耗材", "快递费")]
    instances = [people.submit(rid)["id"] for rid in ids]
    manager = people.page(MANAGER)
    manager.goto(f"{people.site.url}/inbox")
    for rid in ids:
        manager.locator("li.task", has=manager.locator(f'a[href$="/records/{rid}"]')).locator("input.pick-task").check()
    assert manager.locator("#batch-count").inner_text() == "2"
    manager.locator("#batch-comment").fill("月底统一批准")
    manager.locator("#batch-approve").click()
    wait_until(manager, "document.querySelectorAll('li.task').length === 0")
    for instance in instances:
        shown = people.site.api.get(f"/flow-instances/{instance}").json()
        assert shown["status"] == "approved"
        assert any(e["comment"] == "月底统一批准" for e in shown["timeline"])
    manager.goto(f"{people.site.url}/inbox?tab=done")
    assert manager.locator("li.done-task").count() >= 2
    manager.context.close()


def test_approving_on_a_390_pixel_wide_phone(people: People) -> None:
    rid = people.claim("出租车费", "120")
    people.submit(rid)
    phone = people.page(MANAGER, width=390, height=844)
    phone.goto(f"{people.site.url}/inbox")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # 不需要横向滚动
    task = phone.locator("li.task", has=phone.locator(f'a[href$="/records/{rid}"]'))
    approve = task.get_by_role("button", name="同意")
    box = approve.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390 and box["height"] >= 40  # 拇指按得到
    task.locator("input.comment").fill("可以")
    approve.click()
    task.wait_for(state="detached")
    assert people.status(rid) == "approved"
    phone.context.close()


def test_the_manager_transfers_from_the_record_page_and_adds_an_approver(people: People) -> None:
    first, second = people.claim("会议室租金"), people.claim("培训费")
    people.submit(first)
    people.submit(second)
    manager = people.page(MANAGER)
    manager.goto(people.record_url(first))
    manager.locator(".more-actions summary").click()
    set_people(manager.locator(".my-task"), "转交给", ["zhang.wei"])
    reloads(manager, manager.get_by_role("button", name="转交"))
    assert "张伟" in manager.locator("#approvals .entry.pending").inner_text()  # by display name
    assert manager.locator(".my-task").count() == 0  # no longer the manager's to decide
    manager.goto(people.record_url(second))
    manager.locator(".more-actions summary").click()
    set_people(manager.locator(".my-task"), "加签人", ["zhang.wei"])
    reloads(manager, manager.get_by_role("button", name="加签"))
    pending = manager.locator("#approvals .entry.pending").all_inner_texts()
    assert any("张伟" in text for text in pending)
    manager.context.close()


def test_a_refused_save_and_submit_keeps_the_record_and_says_why(people: People) -> None:
    rep = people.page(REP)
    # the server refuses the submit (as it would a flow switched off meanwhile): only the answer is stubbed
    rep.route("**/api/v1/apps/expense/flows/claim_approval/instances", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body='{"error": {"code": "flow_state", "message": "流程“报销审批”已停用"}}'))
    rep.goto(f"{people.site.url}/apps/expense/forms/claim/records/new")
    rep.get_by_label("事由").fill("办公用品")
    with rep.expect_navigation():
        rep.get_by_role("button", name="保存并提交").click()
    saved = int(rep.url.rsplit("/", 1)[1])
    error = rep.locator("#approvals-error")
    assert error.is_visible() and "记录已保存，但提交审批未成功" in error.inner_text()
    assert "已停用" in error.inner_text()
    assert people.site.api.get(f"/apps/expense/forms/claim/records/{saved}").json()["data"]["title"] == "办公用品"
    assert people.site.api.get(f"/apps/expense/forms/claim/records/{saved}/flows").json()["items"] == []
    assert rep.get_by_role("button", name="提交审批").is_visible()  # to try again
    rep.unroute("**/api/v1/apps/expense/flows/claim_approval/instances")
    rep.context.close()


def test_the_manager_adds_an_approver_before_himself_and_the_task_comes_back(people: People) -> None:
    rid = people.claim("年会场地")
    people.submit(rid)
    manager = people.page(MANAGER)
    manager.goto(people.record_url(rid))
    manager.locator(".more-actions summary").click()
    set_people(manager.locator(".my-task"), "加签人", ["zhang.wei"])
    manager.get_by_label("加签方式").select_option(label="前加签（先审批，再回到我）")
    reloads(manager, manager.get_by_role("button", name="加签"))
    assert "前加签：张伟（同意后回到 李经理 审批）" in manager.locator("#approvals").inner_text()  # display names
    assert manager.locator(".my-task").count() == 0  # zhang.wei decides first
    task = people.site.api.get("/tasks", params={"assignee": "zhang.wei", "status": "open"}).json()["items"][-1]
    assert people.site.api.post(f"/tasks/{task['id']}/approve", json={}).status_code == 403  # only zhang.wei
    login = httpx.post(f"{people.site.url}/api/v1/auth/login", json={"username": "zhang.wei", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert httpx.post(f"{people.site.url}/api/v1/tasks/{task['id']}/approve", json={}, headers=headers).is_success
    manager.reload()
    assert "回到 李经理 审批" in manager.locator("#approvals").inner_text()
    reloads(manager, manager.locator(".my-task").get_by_role("button", name="同意"))
    assert people.status(rid) == "approved"
    manager.context.close()


def test_the_manager_returns_a_claim_the_rep_edits_it_and_resubmits_on_the_same_instance(people: People) -> None:
    dinner = people.claim("客户招待", "2600")
    instance = people.submit(dinner)["id"]
    manager = people.page(MANAGER)
    manager.goto(people.record_url(dinner))
    mine = manager.locator(".my-task")
    mine.locator("textarea.comment").fill("请附上菜单明细")
    reloads(manager, mine.get_by_role("button", name="退回"))
    assert badge(manager) == "已退回"
    assert manager.locator(".my-task").count() == 0

    # 已退回: the rep reads why, edits the unlocked record and resubmits; the same instance goes on.
    rep = people.page(REP)
    rep.goto(people.record_url(dinner))
    assert badge(rep) == "已退回"
    assert "请附上菜单明细" in rep.locator("#approvals").inner_text()
    rep.locator("#approvals").get_by_role("link", name="编辑").click()
    rep.get_by_label("金额").fill("2400")
    rep.get_by_role("button", name="保存", exact=True).click()
    rep.wait_for_url(people.record_url(dinner))
    reloads(rep, rep.get_by_role("button", name="重新提交"))
    assert badge(rep) == "审批中"
    runs = people.site.api.get(f"/apps/expense/forms/claim/records/{dinner}/flows").json()["items"]
    assert [(i["id"], i["status"]) for i in runs] == [(instance, "running")]
    manager.goto(people.record_url(dinner))
    reloads(manager, manager.locator(".my-task").get_by_role("button", name="同意"))
    assert badge(manager) == "已通过"
    rep.context.close()
    manager.context.close()
