"""Issue 24's end-to-end scenario, in Chinese, as the people of a company would do it in the pages.

1. In a fresh CRM the administrator builds 费用报销审批 in the flow designer: the + inserts a condition whose
   branch (金额 > 5000, built in the condition picker) asks 财务, then 总经理, then the 会签 of two managers,
   the other branch the submitter's department head; a 抄送 to the submitter's manager at the end; 发布.
   A rep saves an expense and submits it from its record page; 财务 approves in the inbox, 总经理 rejects
   there; the rep edits it and submits again; 财务 approves on the record page, 总经理 and both managers in
   their inboxes; the rep reads the timeline, the list shows 已通过, the manager finds the 抄送. A small
   expense goes to the department head.
2. A quote submitted before the change finishes on its version while the administrator lowers the quote
   approval's 总经理 threshold in the picker and publishes: a new quote of the same amount now reaches
   总经理, the old one ends after 财务 (its instance stays on the old version).

Set up through the API (what an administrator's org chart and app definition already hold): the users, the
department 销售一部 with its head, the role members, and the 费用报销 form with its role permissions (one
app upgrade; the form builder has its own browser tests). Everything a user does is done in the pages."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import CRM, PASSWORD, Site
from tests.browser.people import set_people
from tests.browser.signed_in import signed_in_page
from tests.browser.wait import wait_until

REP, HEAD, FINANCE, GM = "li.xiao", "wang.zhuguan", "qian.caiwu", "zhao.zong"
MANAGERS = ("sun.jingli", "zhou.jingli")
PEOPLE = {REP: ("李小", "sales_rep"), HEAD: ("王主管", "sales_manager"), FINANCE: ("钱会计", "finance"),
          GM: ("赵总", "gm"), MANAGERS[0]: ("孙经理", "sales_director"), MANAGERS[1]: ("周经理", "sales_director")}

EXPENSE = {"key": "expense", "name": "费用报销", "name_en": "Expense claim", "title_field": "title", "fields": [
    {"key": "title", "type": "text", "label": "事由", "label_en": "Purpose", "required": True},
    {"key": "amount", "type": "money", "label": "金额", "label_en": "Amount", "required": True},
    {"key": "dept", "type": "department", "label": "部门", "label_en": "Department"},
    {"key": "note", "type": "textarea", "label": "说明", "label_en": "Note"}]}
EXPENSE_RIGHTS = {"sales_rep": {"create": True, "read": "own", "update": "own"},
                  "sales_manager": {"read": "all"}, "sales_director": {"read": "all"}, "finance": {"read": "all"}}


class Company:
    """The people (an API client each, to arrange data as they would) and a browser page for any of them."""

    def __init__(self, site: Site, browser: Any) -> None:
        self.site, self.browser = site, browser
        self.api: dict[str, httpx.Client] = {}
        self.faults: list[str] = []
        crm = json.loads(CRM.read_text(encoding="utf-8"))
        upgraded = copy.deepcopy(crm) | {"version": _next(crm["version"]), "forms": [*crm["forms"], EXPENSE]}
        for role in upgraded["roles"]:
            if role["key"] in EXPENSE_RIGHTS:
                role["permissions"]["expense"] = EXPENSE_RIGHTS[role["key"]]
        r = site.api.put("/apps/crm", json=upgraded)
        assert r.status_code == 200, r.text
        for name, (display, _) in PEOPLE.items():
            r = site.api.post("/users", json={"username": name, "password": PASSWORD, "display_name": display})
            assert r.status_code == 201, r.text
        r = site.api.post("/departments", json={"key": "sales_1", "name": "销售一部", "head": HEAD})
        assert r.status_code == 201, r.text
        for name in (REP, HEAD):
            r = site.api.patch(f"/users/{name}", json={"departments": ["sales_1"], "primary_department": "sales_1"})
            assert r.status_code == 200, r.text
        for role in {role for _, role in PEOPLE.values()}:
            members = [name for name, (_, r) in PEOPLE.items() if r == role]
            r = site.api.put(f"/apps/crm/roles/{role}/members", json={"users": members})
            assert r.status_code == 200, r.text
        for name in PEOPLE:
            token = httpx.post(f"{site.url}/api/v1/auth/login", json={"username": name, "password": PASSWORD}).json()
            self.api[name] = httpx.Client(base_url=f"{site.url}/api/v1",
                                          headers={"Authorization": f"Bearer {token['access_token']}"})

    def page(self, name: str) -> Any:
        return signed_in_page(self.browser, self.site.url, name, self.faults)

    def url(self, form: str, record_id: int | str = "") -> str:
        return f"{self.site.url}/apps/crm/forms/{form}/records/{record_id}".rstrip("/")

    def instances(self, form: str, record_id: int) -> list[dict[str, Any]]:
        r = self.site.api.get(f"/apps/crm/forms/{form}/records/{record_id}/flows")
        assert r.status_code == 200, r.text
        return r.json()["items"]  # type: ignore[no-any-return]

    def open_tasks(self, name: str) -> list[dict[str, Any]]:
        return self.api[name].get("/tasks", params={"assignee": "me", "status": "open"}).json()["items"]  # type: ignore[no-any-return]


def _next(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


@pytest.fixture(scope="module")
def company(site: Site, browser: Any) -> Iterator[Company]:
    found = Company(site, browser)
    yield found
    assert found.faults == []
    for client in found.api.values():
        client.close()


# ---- the designer ----

def _insert(page: Any, at: str, label: str) -> None:
    page.locator(f'button.add[data-at="{at}"]').click()
    page.get_by_role("menuitem", name=label, exact=True).click()
    page.locator(f'.node[data-path="{at}"]').wait_for()


def _open(page: Any, path: str) -> Any:
    """Select the step and wait for its panel (drawn once the pickers' choices are in)."""
    page.locator(f'.node[data-path="{path}"] > .card').click()
    panel = page.locator("#step-fields")
    panel.get_by_label("审批方式", exact=True).or_(panel.get_by_label("通知方式", exact=True)).first.wait_for()
    return panel


def _save(page: Any) -> None:
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.locator("#step-panel").get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    wait_until(page, "document.getElementById('step-error').textContent === ''")


def _approval(page: Any, path: str, name: str, *, users: tuple[str, ...] = (), role: str | None = None,
              head: str | None = None, mode: str = "any") -> None:
    _insert(page, path, "审批")
    panel = _open(page, path)
    page.locator("#step-panel").get_by_label("名称", exact=True).fill(name)
    set_people(panel, "指定成员", list(users))
    if role:
        panel.get_by_label("角色", exact=True).select_option([role])
    if head is not None:
        panel.get_by_label("发起人的部门负责人", exact=True).select_option(head)
    panel.get_by_label("审批方式", exact=True).select_option(mode)
    _save(page)
    wait_until(page, "([p, n]) => document.querySelector(`.node[data-path=\"${p}\"]`).textContent.includes(n)", [path, name])


def _branch_condition(page: Any, path: str, branch: int, field: str, op: str, value: str, name: str | None = None) -> None:
    """Open a condition's branch and set its condition to one picker row (field op value)."""
    page.locator(f'.branch-head[data-path="{path}"][data-branch="{branch}"]').click()
    step = page.locator("#step-panel")
    if name is not None:
        step.get_by_label("名称", exact=True).fill(name)
    if step.locator(".condition-picker").get_attribute("data-mode") != "rows":
        step.locator("#branch-when").fill("")  # the starter TRUE is an expression: cleared, the picker takes over
        step.locator(".cp-mode").click()
    if step.locator(".cp-row").count() == 0:
        step.get_by_role("button", name="添加条件").click()
    row = step.locator(".cp-row").first
    row.get_by_label("字段").select_option(label=field)
    row.get_by_label("条件").select_option(label=op)
    row.get_by_label("值").fill(value)
    step.get_by_role("button", name="保存").click()


def _publish(page: Any) -> None:
    page.evaluate("document.getElementById('toast').textContent = ''")
    page.locator("#publish").click()
    wait_until(page, "document.getElementById('toast').textContent.includes('已发布')")


# ---- the record page and the inbox ----

def reloads(page: Any, button: Any) -> None:
    """Click a button whose success reloads the page (approvals.js), and wait for the new page."""
    with page.expect_navigation():
        button.click()


def badge(page: Any) -> str:
    return str(page.locator("h1 .approval-badge").inner_text())


def decide_in_inbox(company: Company, page: Any, record_id: int, button: str, comment: str) -> None:
    """In 待我处理, the task on that record: a comment, then 同意 or 驳回; the task leaves the list."""
    page.goto(f"{company.site.url}/inbox")
    link = f'a[href$="/records/{record_id}"]'
    task = page.locator("li.task", has=page.locator(link))
    assert not task.locator(link).inner_text().startswith("#")  # the record is named by its title
    task.locator("input.comment").fill(comment)
    task.get_by_role("button", name=button).click()
    task.wait_for(state="detached")


def new_expense(page: Any, company: Company, title: str, amount: str) -> int:
    """The rep fills the new-record form and saves; on the record page, 提交审批. The record's id."""
    page.goto(company.url("expense", "new"))
    page.get_by_label("事由").fill(title)
    page.get_by_label("金额").fill(amount)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(lambda url: url.rsplit("/", 1)[1].isdigit())
    reloads(page, page.get_by_role("button", name="提交审批"))
    assert badge(page) == "审批中"
    return int(page.url.rsplit("/", 1)[1])


def test_build_the_expense_approval_in_the_designer_and_take_a_claim_through_it(company: Company) -> None:
    site = company.site
    admin = company.page("admin")
    admin.goto(f"{site.url}/apps/crm")
    admin.locator("#flows-link").click()
    admin.wait_for_url(f"{site.url}/apps/crm/builder/flows")
    admin.get_by_label("流程名称").fill("费用报销审批")
    admin.get_by_label("流程标识（英文）").fill("expense_approval")
    admin.get_by_label("表单", exact=True).select_option("expense")
    admin.get_by_label("触发方式").select_option("submit")
    admin.get_by_role("button", name="创建").click()
    admin.wait_for_url(f"{site.url}/apps/crm/builder/flows/expense_approval#trigger")

    _insert(admin, "steps[0]", "条件分支")
    _branch_condition(admin, "steps[0]", 0, "金额", ">", "5000", name="超过 5000 元")
    wait_until(admin, "document.querySelector('.branch-head[data-branch=\"0\"]').textContent.includes('amount > 5000')")
    big = "steps[0].branches[0].steps"
    _approval(admin, f"{big}[0]", "财务审批", role="finance")
    _approval(admin, f"{big}[1]", "总经理审批", role="gm")
    _approval(admin, f"{big}[2]", "经理会签", users=tuple(MANAGERS), mode="all")
    _approval(admin, "steps[0].branches[1].steps[0]", "部门负责人审批", head="0")
    _insert(admin, "steps[1]", "抄送 / 通知")
    panel = _open(admin, "steps[1]")
    admin.locator("#step-panel").get_by_label("名称", exact=True).fill("抄送直属上级")
    set_people(panel, "指定成员", [])
    panel.get_by_label("发起人的部门负责人", exact=True).select_option("0")
    panel.get_by_label("消息内容", exact=True).fill("费用报销已通过：")
    panel.get_by_label("消息内容 · 插入字段", exact=True).select_option("title")
    _save(admin)
    _publish(admin)
    flow = next(f for f in site.api.get("/apps/crm").json()["definition"]["flows"] if f["key"] == "expense_approval")
    assert flow["trigger"] == {"on": "submit"}
    condition = flow["steps"][0]
    assert condition["branches"][0]["when"] == "amount > 5000" and condition["branches"][1]["default"] is True
    assert [s["approvers"] for s in condition["branches"][0]["steps"]] == [
        {"role": "finance"}, {"role": "gm"}, {"users": list(MANAGERS)}]
    assert condition["branches"][0]["steps"][2]["mode"] == "all"
    assert condition["branches"][1]["steps"][0]["approvers"] == {"department_head": 0}
    assert flow["steps"][1]["to"] == {"department_head": 0} and flow["steps"][1]["message"] == "费用报销已通过：{title}"
    admin.context.close()

    # The rep: a new claim of 8000 yuan, saved, then 提交审批 on its record page.
    rep = company.page(REP)
    trip = new_expense(rep, company, "上海客户现场差旅", "8000")
    assert "财务审批" in rep.locator("#approvals .entry.pending").inner_text()

    # 财务 approves in the inbox; 总经理 rejects there, saying why.
    finance = company.page(FINANCE)
    decide_in_inbox(company, finance, trip, "同意", "票据齐全")
    gm = company.page(GM)
    decide_in_inbox(company, gm, trip, "驳回", "请补充住宿发票")

    # The rep sees 已驳回 and why, edits the claim and submits it again.
    rep.reload()
    assert badge(rep) == "已驳回"
    assert "请补充住宿发票" in rep.locator("#approvals .progress").inner_text()
    rep.get_by_role("link", name="编辑").first.click()
    rep.get_by_label("说明").fill("已补充住宿发票")
    rep.get_by_label("金额").fill("8600")
    rep.get_by_role("button", name="保存", exact=True).click()
    rep.wait_for_url(company.url("expense", trip))
    reloads(rep, rep.get_by_role("button", name="提交审批"))
    assert badge(rep) == "审批中"

    # 财务 approves on the record page this time; 总经理 in the inbox; then the 会签 of both managers.
    finance.goto(company.url("expense", trip))
    mine = finance.locator(".my-task")
    mine.locator("textarea.comment").fill("复核通过")
    reloads(finance, mine.get_by_role("button", name="同意"))
    decide_in_inbox(company, gm, trip, "同意", "同意报销")
    first, second = (company.page(name) for name in MANAGERS)
    decide_in_inbox(company, first, trip, "同意", "孙：同意")
    assert company.instances("expense", trip)[-1]["status"] == "running"  # 会签: one of two is not enough
    decide_in_inbox(company, second, trip, "同意", "周：同意")

    # The rep reads the timeline and the final status, on the record page and in the list.
    rep.reload()
    assert badge(rep) == "已通过"
    progress = rep.locator("#approvals .progress").first.inner_text()
    for shown in ("财务审批", "复核通过", "总经理审批", "同意报销", "经理会签", "孙：同意", "周：同意"):
        assert shown in progress, shown
    rep.locator("#approvals details.earlier summary").click()  # the rejected round, folded under 历次审批
    earlier = rep.locator("#approvals details.earlier").inner_text()
    assert "已驳回" in earlier and "请补充住宿发票" in earlier
    rep.goto(f"{site.url}/apps/crm/forms/expense")
    assert rep.locator(f'tr[data-id="{trip}"] .approval-badge').inner_text() == "已通过"
    runs = company.instances("expense", trip)
    assert [i["status"] for i in runs] == ["rejected", "approved"]

    # The department head (the rep's manager) finds the 抄送 in 抄送我.
    head = company.page(HEAD)
    head.goto(f"{site.url}/inbox?tab=cc")
    cc = head.locator("li.cc-row", has=head.locator(f'a[href$="/expense/records/{trip}"]')).inner_text()
    assert "抄送直属上级" in cc and "费用报销审批" in cc and "上海客户现场差旅" in cc and "已通过" in cc
    assert "费用报销已通过：上海客户现场差旅" in cc  # the message as the designer's template wrote it

    # A small claim goes to the department head alone, who approves it in the inbox.
    taxi = new_expense(rep, company, "出租车费", "300")
    assert "部门负责人审批" in rep.locator("#approvals .entry.pending").inner_text()
    assert [t["record_id"] for t in company.open_tasks(HEAD)] == [taxi]
    decide_in_inbox(company, head, taxi, "同意", "可以")
    assert company.instances("expense", taxi)[-1]["status"] == "approved"
    for page in (rep, finance, gm, first, second, head):
        page.context.close()


def test_change_the_quote_threshold_and_new_quotes_take_the_new_path_old_ones_finish_on_theirs(company: Company) -> None:
    site = company.site
    customer = company.api[REP].post("/apps/crm/forms/customer/records", json={"data": {"name": "杭州精工机械有限公司"}})
    assert customer.status_code == 201, customer.text

    def quote() -> int:
        r = company.api[REP].post("/apps/crm/forms/quote/records", json={"data": {
            "customer": customer.json()["id"], "lines": [{"item": "数控机床", "qty": 2, "unit_price": "100000"}]}})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    # A quote of 200 000 submitted now: under 50 万, the published flow ends after 财务.
    rep = company.page(REP)
    old = quote()
    rep.goto(company.url("quote", old))
    reloads(rep, rep.get_by_role("button", name="提交审批"))
    before = company.instances("quote", old)[-1]["def_version"]

    # The administrator lowers the 总经理 threshold to 10 万 in the picker and publishes.
    admin = company.page("admin")
    admin.goto(f"{site.url}/apps/crm/builder/flows/quote_approval")
    assert f"1 个运行中（第 {before} 版）" in admin.locator("h1").inner_text()
    path = admin.locator('.branch-head[data-branch="0"]', has_text="amount > 500000").get_attribute("data-path")
    _branch_condition(admin, path, 0, "报价总额", ">", "100000", name="超过 10 万")
    wait_until(admin, "([p]) => document.querySelector(`.branch-head[data-path=\"${p}\"][data-branch=\"0\"]`)"
                      ".textContent.includes('amount > 100000')", [path])
    _publish(admin)

    # A new quote of the same amount, submitted from its page; both go through 销售经理 and 财务 (batch).
    new = quote()
    rep.goto(company.url("quote", new))
    reloads(rep, rep.get_by_role("button", name="提交审批"))
    after = company.instances("quote", new)[-1]["def_version"]
    assert after > before
    for name in (HEAD, FINANCE):
        approver = company.page(name)
        approver.goto(f"{site.url}/inbox")
        for rid in (old, new):
            approver.locator("li.task", has=approver.locator(f'a[href$="/records/{rid}"]')).locator("input.pick-task").check()
        approver.locator("#batch-comment").fill("同意")
        approver.locator("#batch-approve").click()
        wait_until(approver, "document.querySelectorAll('li.task').length === 0")
        approver.context.close()

    # The old quote ended on its version without 总经理; the new one waits for 总经理.
    rep.goto(company.url("quote", old))
    assert badge(rep) == "已通过"
    assert "总经理审批" not in rep.locator("#approvals").inner_text()
    finished = company.instances("quote", old)[-1]
    assert finished["def_version"] == before and {t["assignee"] for t in finished["tasks"]} == {HEAD, FINANCE}
    rep.goto(company.url("quote", new))
    assert badge(rep) == "审批中"
    pending = rep.locator("#approvals .entry.pending").inner_text()
    assert "总经理审批" in pending and PEOPLE[GM][0] in pending  # by display name
    assert [t["record_id"] for t in company.open_tasks(GM)] == [new]
    assert {t["assignee"] for t in company.instances("quote", new)[-1]["tasks"]} == {HEAD, FINANCE, GM}

    # The run log shows each instance on its version; choosing the old version leaves the old quote alone.
    admin.goto(f"{site.url}/apps/crm/builder/flows")
    admin.locator("tr[data-flow='quote_approval']").get_by_role("link", name="运行记录").click()
    rows = admin.locator("table#fi-instances tr[data-instance]")
    rows.first.wait_for()
    assert rows.count() == 2
    with admin.expect_navigation():
        admin.locator("#fi-version").select_option(str(before))
    assert rows.count() == 1 and "已通过" in rows.first.inner_text()
    assert rows.first.locator("a").first.get_attribute("href").endswith(f"/quote/records/{old}")
    for page in (rep, admin):
        page.context.close()
