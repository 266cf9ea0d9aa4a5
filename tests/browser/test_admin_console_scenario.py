"""The admin console's whole story in one browser session (issue 27), in Chinese: the administrator builds a
department tree and two users, makes a role whose members see only their department's customers without
年营业额 (given to a whole region, 含下级部门), and publishes it; a member sees 年营业额 nowhere — list, record,
the exported xlsx, the dashboard; the administrator hands a leaving user's customers and task over, and finds
each of these actions in the audit viewer."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, Site
from tests.browser.handover import hand_over
from tests.browser.signed_in import signed_in_page

FLOW = {"key": "credit_check", "name": "授信审核", "form": "customer", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "check", "name": "授信", "approvers": {"users": ["wu.qian"]}}]}
BOARD = {"key": "biz_board", "name": "经营看板", "widgets": [
    {"key": "revenue", "type": "kpi", "form": "customer", "name": "客户年营业额",
     "measures": [{"agg": "sum", "field": "annual_revenue", "label": "年营业额合计"}]},
    {"key": "by_level", "type": "bar", "form": "customer", "name": "各等级客户", "dimensions": [{"field": "level"}],
     "measures": [{"agg": "count", "label": "客户数"}]}]}


def _department(page: Any, key: str, name: str, parent: str | None) -> None:
    form = page.locator("#dept-new")
    if not form.is_visible():
        page.get_by_text("新建部门", exact=True).click()
    form.get_by_label("部门名称").fill(name)
    form.get_by_label("部门编码（英文）").fill(key)
    form.get_by_label("上级部门").select_option(parent or "")
    form.get_by_role("button", name="创建").click()
    page.locator(f'#dept-tree li[data-key="{key}"]').wait_for()


def _user(page: Any, site: Site, username: str, name: str, department: str) -> None:
    page.goto(f"{site.url}/admin/org")
    page.get_by_text("新建用户", exact=True).click()
    form = page.locator("#user-new")
    form.get_by_label("用户名").fill(username)
    form.get_by_label("姓名").fill(name)
    form.get_by_label("初始密码").fill(PASSWORD)
    form.get_by_label("下次登录时必须修改密码").uncheck()
    form.get_by_label("部门").select_option([department])
    form.get_by_role("button", name="创建").click()
    page.wait_for_url(f"**/admin/users/{username}")


def _data(site: Site) -> dict[str, int]:
    """What the story needs besides the console: 吴倩's two customers (one waiting for her 授信 decision),
    张伟's one outside the region, and a dashboard with a widget over 年营业额."""
    api = site.api
    assert api.put("/apps/crm/draft/flows/credit_check", json=FLOW).status_code == 200
    assert api.post("/apps/crm/draft/reports", json={"key": "biz_board", "name": "经营看板"}).status_code == 201
    assert api.put("/apps/crm/draft/reports/biz_board", json=BOARD).status_code == 200
    assert api.post("/apps/crm/publish").status_code == 200
    ids = {}
    for name, revenue, owner in (("南山科技", "7300000.00", "wu.qian"), ("福田物流", "420000.00", "wu.qian"),
                                 ("北方重工", "9100000.00", "zhang.wei")):
        ids[name] = site.record("crm", "customer", {"name": name, "annual_revenue": revenue})["id"]
        assert api.post("/users/admin/handover", json={"to": owner}).status_code == 200  # kept by the owner's department
    r = api.post("/apps/crm/flows/credit_check/instances", json={"record_id": ids["福田物流"]})
    assert r.status_code == 201, r.text
    return ids


def test_the_admin_console_story(page: Any, site: Site, browser: Any) -> None:
    faults: list[str] = []  # the strict policy's refusals and script errors, on every page of the story
    page.on("console", lambda m: faults.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: faults.append(f"script error: {e}"))

    # 组织架构: 集团 > 华南大区 > 深圳分部; 周杰 and 吴倩 (who is leaving) in 深圳分部
    page.goto(f"{site.url}/admin/org")
    _department(page, "jituan", "集团", None)
    _department(page, "huanan", "华南大区", "jituan")
    _department(page, "shenzhen", "深圳分部", "huanan")
    _user(page, site, "zhou.jie", "周杰", "shenzhen")
    _user(page, site, "wu.qian", "吴倩", "shenzhen")
    ids = _data(site)

    # 角色与权限: 华南客户经理 reads its department's customers, exports them, never sees 年营业额
    page.goto(f"{site.url}/apps/crm/builder/roles")
    page.get_by_label("角色名称").first.fill("华南客户经理")
    page.get_by_label("角色标识（英文）").fill("south_mgr")
    page.get_by_role("button", name="新建角色").click()
    page.wait_for_url("**?role=south_mgr")
    page.get_by_label("客户 查看").select_option("department")
    page.locator("table#matrix tr[data-form=customer] input.flag[data-op=export]").check()
    customer = page.locator("details.form-detail[data-form=customer]")
    if not customer.evaluate("d => d.open"):
        customer.locator("summary").click()
    page.get_by_label("客户 年营业额").select_option("hidden")
    page.locator("#save-role").click()
    expect(page.locator("#toast")).to_contain_text("已保存到草稿")
    page.get_by_role("button", name="发布").click()
    expect(page.locator("#members-unpublished")).to_have_count(0)
    # the whole region: 华南大区 with 含下级部门, so 深圳分部's people hold it
    page.get_by_label("成员（整个部门）").select_option("huanan")
    page.locator('#member-subdepartments label[data-department="huanan"] input').check()
    page.get_by_role("button", name="保存成员").click()
    expect(page.locator("#toast")).to_contain_text("已保存")
    role = next(r for r in site.api.get("/apps/crm/roles").json()["items"] if r["key"] == "south_mgr")
    assert role["with_subdepartments"] == ["huanan"] and role["members"] == ["wu.qian", "zhou.jie"]

    # 周杰 sees 深圳分部's customers, and 年营业额 nowhere: list, record, export, dashboard
    member = signed_in_page(browser, site.url, "zhou.jie", faults)
    member.goto(f"{site.url}/apps/crm/forms/customer")
    expect(member.get_by_text("南山科技")).to_be_visible()
    expect(member.get_by_text("福田物流")).to_be_visible()
    assert "北方重工" not in member.content() and "年营业额" not in member.content()
    member.get_by_text("导出 ▾").click()
    member.get_by_label("格式").select_option("xlsx")
    with member.expect_download() as download:
        member.get_by_role("button", name="当前筛选的全部").click()
    rows = list(openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
                .iter_rows(values_only=True))
    assert "客户名称" in rows[0] and "年营业额" not in rows[0]
    assert sorted(row[rows[0].index("客户名称")] for row in rows[1:]) == ["南山科技", "福田物流"]
    member.goto(f"{site.url}/apps/crm/forms/customer/records/{ids['南山科技']}")
    expect(member.get_by_text("南山科技").first).to_be_visible()
    assert "年营业额" not in member.content() and "7,300,000" not in member.content()
    member.goto(f"{site.url}/apps/crm/dashboards/biz_board")
    expect(member.locator(".widget[data-key=by_level]")).to_be_visible()
    expect(member.locator(".widget[data-key=revenue]")).to_have_count(0)
    assert "年营业额" not in member.content() and "7,300,000" not in member.content()
    member.context.close()

    # 离职交接: 吴倩's customers and her 授信 task go to 周杰
    page.goto(f"{site.url}/admin/handover")
    hand_over(page, "wu.qian", "zhou.jie", records=2, tasks=1)
    owners = {r["data"]["name"]: r["owner"] for r in site.api.get("/apps/crm/forms/customer/records").json()["items"]}
    assert owners == {"南山科技": "zhou.jie", "福田物流": "zhou.jie", "北方重工": "zhang.wei"}
    tasks = site.api.get("/tasks", params={"assignee": "zhou.jie", "status": "open"}).json()["items"]
    assert [t["record_id"] for t in tasks] == [ids["福田物流"]]

    # 审计日志: every step of the story is there
    page.goto(f"{site.url}/admin/audit")
    filters = page.locator("#audit-filters")
    filters.get_by_label("用户名").fill("zhou.jie")
    filters.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/admin/audit?user=zhou.jie**")
    actions = page.locator("#audit-entries tbody tr").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert "record.export" in actions and "login" in actions
    for action, expected in (("user.handover", "wu.qian"), ("role.members", "huanan"), ("app.publish", "客户关系管理"),
                             ("user.create", "zhou.jie"), ("department.create", "shenzhen")):
        page.goto(f"{site.url}/admin/audit?action={action}")
        rows = page.locator("#audit-entries tbody tr")
        expect(rows.first).to_be_visible()
        texts = rows.evaluate_all("rows => rows.map(r => r.textContent)")
        assert any(expected in text for text in texts), (action, texts)
    assert faults == []
