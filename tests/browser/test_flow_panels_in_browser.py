"""The flow designer's step panels and drag to move, in a real browser, in Chinese: every step type and action
is inserted, its panel filled and saved, and after a reload the panel shows what the API stored (a round
trip); an approval 会签 by a role with an SLA (escalate after 1 day), its 退回/转交/加签 switches, the fields its
approver may edit, approvers from a department field and several SLA stages; 新建记录 in 订单 with a field mapping;
删除记录 of the records pointing here with a condition; a refusal shown on the panel field it concerns; a node dragged into another branch, a branch dragged
before another and into another parallel step, a step removed, each taken back with 撤销."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site
from tests.browser.people import chosen, set_people
from tests.browser.wait import wait_until

DRAFT = "/apps/crm/draft/flows"


def _flow(site: Site, key: str) -> dict[str, Any]:
    items = site.api.get(DRAFT).json()["items"]
    return next(i["flow"] for i in items if i["flow"]["key"] == key)


def _new_flow(site: Site, page: Any, key: str, steps: list[dict[str, Any]]) -> None:
    r = site.api.put(f"{DRAFT}/{key}", json={"key": key, "name": "赢单处理", "form": "opportunity",
                                             "trigger": {"on": "submit"}, "steps": steps})
    assert r.status_code == 200, r.text
    page.goto(f"{site.url}/apps/crm/builder/flows/{key}")
    page.locator('.node[data-path="steps[0]"], button.add[data-at="steps[0]"]').first.wait_for()


def _insert(page: Any, at: str, label: str) -> None:
    page.locator(f'button.add[data-at="{at}"]').click()
    page.get_by_role("menuitem", name=label, exact=True).click()
    page.locator(f'.node[data-path="{at}"]').wait_for()


def _open(page: Any, path: str, label: str) -> None:
    """Select the node and wait for its panel (drawn once the pickers' choices are in)."""
    page.locator(f'.node[data-path="{path}"] > .card').click()
    page.locator("#step-fields").get_by_label(label, exact=True).first.wait_for()


def _save(page: Any) -> None:
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.ok, answer.value.text()
    wait_until(page, "document.getElementById('step-error').textContent === ''")


def _panel(page: Any) -> Any:
    return page.locator("#step-fields")


# Each step type: what to fill in its panel ((label, how, value) in order), and what the API then stores.
# `how` is fill, select (an option's value), check, uncheck, insert (a field placeholder menu's field), or click
# (a button, by its name).
CASES: list[tuple[str, str, list[tuple[str, str, Any]], dict[str, Any]]] = [
    ("审批", "审批方式", [("步骤标识（英文，可选）", "fill", "director_review"), ("角色", "select", ["sales_director"]), ("指定成员", "people", []),
                     ("审批方式", "select", "all"), ("找不到审批人时", "select", "approve"),
                     ("添加时限阶段", "click", None), ("阶段 1：超过多久未处理", "fill", "1"), ("阶段 1：超过多久未处理 · 单位", "select", "P{n}D"),
                     ("阶段 1：只计工作时间（按工作日历）", "check", None), ("阶段 1：然后", "select", "escalate")],
     {"key": "director_review", "approvers": {"role": "sales_director"}, "mode": "all", "if_empty": "approve",
      "sla": [{"after": "P1D", "business": True, "do": "escalate"}]}),
    ("抄送 / 通知", "通知方式", [("通知方式", "select", "dingtalk"),
                               ("机器人地址（Webhook）", "fill", "https://oapi.dingtalk.com/robot/send?access_token=t"),
                               ("加签密钥（钉钉，可选）", "fill", "SEC123"), ("消息内容", "fill", "商机赢单："),
                               ("消息内容 · 插入字段", "insert", "name")],
     {"type": "cc", "channel": "dingtalk", "webhook": "https://oapi.dingtalk.com/robot/send?access_token=t",
      "secret": "SEC123", "message": "商机赢单：{name}"}),
    ("并行分支", "任一分支驳回，整个流程即驳回", [("任一分支驳回，整个流程即驳回", "uncheck", None)],
     {"reject_ends_flow": False}),
    ("等待", "等待方式", [("等待方式", "select", "until"), ("日期字段", "select", "expected_close"),
                       ("相对该日期（负数为提前）", "fill", "-2"), ("按工作日历计算（跳过休息日）", "check", None)],
     {"until": "expected_close", "offset": "-P2D", "business": True}),
    ("更新记录", "字段 1", [("字段 1", "select", "note"), ("新值（表达式） 1", "fill", 'name & "（已赢单）"')],
     {"set": {"note": 'name & "（已赢单）"'}}),
    ("调用 Webhook", "地址（POST）", [("地址（POST）", "fill", "https://erp.example/won"),
                                   ("签名密钥（HMAC-SHA256，可选）", "fill", "s3cret"), ("值（表达式） 1", "fill", "amount"),
                                   ("失败重试次数上限", "fill", "3")],
     {"url": "https://erp.example/won", "secret": "s3cret", "body": {"id": "amount"}, "attempts": 3}),
    ("发送通知", "通知方式", [("通知方式", "select", "email"), ("标题（可选，可用 {字段}）", "fill", "{name} 已赢单"),
                          ("消息内容", "fill", "金额 {amount}")],
     {"channel": "email", "to": {"users": ["admin"]}, "title": "{name} 已赢单", "message": "金额 {amount}"}),
    ("分配负责人", "写入哪个人员字段", [("写入哪个人员字段", "select", "manager"), ("分配方式", "select", "fewest_open"),
                                  ("哪些记录算未完成（表达式，留空为全部）", "fill", 'stage != "赢单"'),
                                  ("规则 1 的人员", "people", []), ("角色", "select", "sales_rep"),
                                  ("同时为负责人创建待办", "check", None), ("待办名称", "fill", "跟进 {name}"),
                                  ("期限（可选）", "fill", "2")],
     {"field": "manager", "strategy": "fewest_open", "open_when": 'stage != "赢单"', "rules": [{"role": "sales_rep"}],
      "task": {"name": "跟进 {name}", "due": "P2D"}}),
    ("创建待办", "待办名称", [("指定成员", "people", ["admin", "zhang.wei"]), ("待办名称", "fill", "回访 {name}"),
                          ("期限（可选）", "fill", "4"), ("期限（可选） · 单位", "select", "PT{n}H")],
     {"to": {"users": ["admin", "zhang.wei"]}, "task": {"name": "回访 {name}", "due": "PT4H"}}),
]


def _do(panel: Any, label: str, how: str, value: Any) -> None:
    if how == "click":
        panel.get_by_role("button", name=label, exact=True).click()
        return
    if how == "people":
        set_people(panel, label, value)
        return
    target = panel.get_by_label(label, exact=True).first
    if how == "fill":
        target.fill(value)
    elif how in ("select", "insert"):
        target.select_option(value)
    elif how == "check":
        target.check()
    else:
        target.uncheck()


def _shown(panel: Any, label: str, how: str) -> Any:
    if how == "people":
        return chosen(panel, label)
    target = panel.get_by_label(label, exact=True).first
    if how == "fill":
        return target.input_value()
    if how == "select":
        return target.evaluate("s => s.multiple ? [...s.selectedOptions].map(o => o.value) : s.value")
    return target.is_checked() if how in ("check", "uncheck") else None


def test_every_step_type_round_trips_through_its_panel(page: Any, site: Site) -> None:
    _new_flow(site, page, "panel_round_trip", [])
    for i, (menu, _, _, _) in enumerate(CASES):
        _insert(page, f"steps[{i}]", menu)
    _insert(page, f"steps[{len(CASES)}]", "条件分支")
    for i, (_, first, actions, expected) in enumerate(CASES):
        _open(page, f"steps[{i}]", first)
        for label, how, value in actions:
            _do(_panel(page), label, how, value)
        _save(page)
        stored = _flow(site, "panel_round_trip")["steps"][i]
        assert {k: stored.get(k) for k in expected} == expected, (i, stored)

    page.reload()
    for i, (_, first, actions, _) in enumerate(CASES):
        _open(page, f"steps[{i}]", first)
        shown = {label: _shown(_panel(page), label, how) for label, how, _ in actions if how != "insert"}
        inserted = {label for label, how, _ in actions if how == "insert"}
        wanted = {label: (how == "check") if how in ("check", "uncheck") else value
                  for label, how, value in actions if how != "insert" and f"{label} · 插入字段" not in inserted}
        assert {k: shown[k] for k in wanted} == wanted, i
        # what the panel shows is what is stored: saving it again asks for no change
        before = _flow(site, "panel_round_trip")
        _save(page)
        assert _flow(site, "panel_round_trip") == before

    # 新建记录 in another form with a field mapping (赢单 → 订单)
    _insert(page, "steps[0]", "新建记录")
    _open(page, "steps[0]", "在哪个表单中新建")
    panel = _panel(page)
    panel.get_by_label("在哪个表单中新建", exact=True).select_option("order")
    for n, (target, source) in enumerate([("customer", "customer"), ("amount", "amount *"), ("status", '"待发货"')]):
        panel.get_by_role("button", name="添加一行").click()
        panel.get_by_label(f"目标字段 {n + 1}", exact=True).select_option(target)
        panel.get_by_label(f"取值（表达式） {n + 1}", exact=True).fill(source)
    panel.get_by_label("取值（表达式） 2 · 插入字段", exact=True).select_option("probability")
    _save(page)
    stored = _flow(site, "panel_round_trip")["steps"][0]
    assert stored["form"] == "order"
    assert stored["values"] == {"customer": "customer", "amount": "amount * probability", "status": '"待发货"'}
    page.reload()
    _open(page, "steps[0]", "在哪个表单中新建")
    assert _panel(page).get_by_label("目标字段 2", exact=True).input_value() == "amount"
    assert _panel(page).get_by_label("取值（表达式） 3", exact=True).input_value() == '"待发货"'


def test_a_refusal_shows_on_the_panel_field_it_concerns_and_keeps_what_was_typed(page: Any, site: Site) -> None:
    _new_flow(site, page, "panel_refusal", [{"type": "action", "action": "create_record", "form": "order",
                                             "values": {"customer": "customer"}}])
    _open(page, "steps[0]", "在哪个表单中新建")
    _panel(page).get_by_label("取值（表达式） 1", exact=True).fill("nosuch + 1")
    page.get_by_role("button", name="保存").click()
    error = _panel(page).locator('[data-option-error="values.customer"]')
    wait_until(page, "document.querySelector('[data-option-error=\"values.customer\"]').textContent.includes('nosuch')")
    assert "nosuch" in error.inner_text()
    assert _panel(page).get_by_label("取值（表达式） 1", exact=True).input_value() == "nosuch + 1"
    assert _flow(site, "panel_refusal")["steps"][0]["values"] == {"customer": "customer"}


APPROVE = {"type": "approval", "name": "经理审批", "approvers": {"users": ["admin"]}}


def test_drag_a_node_or_a_branch_elsewhere_or_remove_a_step_and_undo_takes_each_back(page: Any, site: Site) -> None:
    cc = {"type": "cc", "name": "抄送财务", "to": {"users": ["admin"]}, "message": "已审批"}
    _new_flow(site, page, "panel_drag", [
        APPROVE, cc, {"type": "parallel", "branches": [
            {"name": "技术", "steps": []}, {"name": "采购", "steps": [APPROVE | {"name": "采购审批"}]}]},
        {"type": "parallel", "name": "会审", "branches": [{"name": "法务", "steps": []}]}])
    first = _flow(site, "panel_drag")

    page.locator('.node[data-path="steps[1]"] > .card').drag_to(
        page.locator('button.add[data-at="steps[2].branches[0].steps[0]"]'))
    wait_until(page, "document.querySelector('.node[data-path=\"steps[1].branches[0].steps[0]\"]') !== null")
    moved = _flow(site, "panel_drag")
    assert [s["type"] for s in moved["steps"]] == ["approval", "parallel", "parallel"]
    assert moved["steps"][1]["branches"][0]["steps"][0]["name"] == "抄送财务"

    page.locator("#undo").click()
    wait_until(page, "document.querySelector('.node[data-path=\"steps[1]\"]').dataset.kind === 'cc'")
    assert _flow(site, "panel_drag") == first

    page.locator('.branch-head[data-path="steps[2]"][data-branch="1"]').drag_to(
        page.locator('.branch-head[data-path="steps[2]"][data-branch="0"]'))
    wait_until(page, "document.querySelector('.branch-head[data-branch=\"0\"]').textContent.includes('采购')")
    assert [b["name"] for b in _flow(site, "panel_drag")["steps"][2]["branches"]] == ["采购", "技术"]
    assert _flow(site, "panel_drag")["steps"][2]["branches"][0]["steps"][0]["name"] == "采购审批"
    page.locator("#undo").click()
    wait_until(page, "document.querySelector('.branch-head[data-branch=\"0\"]').textContent.includes('技术')")
    assert _flow(site, "panel_drag") == first

    # a branch dropped on a head of another parallel step moves there, before that branch
    page.locator('.branch-head[data-path="steps[3]"][data-branch="0"]').scroll_into_view_if_needed()
    page.locator('.branch-head[data-path="steps[2]"][data-branch="0"]').drag_to(
        page.locator('.branch-head[data-path="steps[3]"][data-branch="0"]'))
    wait_until(page, "document.querySelector('.branch-head[data-path=\"steps[3]\"]').textContent.includes('技术')")
    across = _flow(site, "panel_drag")["steps"]
    assert [b["name"] for b in across[2]["branches"]] == ["采购"]
    assert [b["name"] for b in across[3]["branches"]] == ["技术", "法务"]
    page.locator("#undo").click()
    wait_until(page, "document.querySelector('.branch-head[data-path=\"steps[3]\"]').textContent.includes('法务')")
    assert _flow(site, "panel_drag") == first

    # a node cannot be dropped into its own branch: nothing is asked of the server
    page.locator('.node[data-path="steps[2]"] > .card').drag_to(
        page.locator('button.add[data-at="steps[2].branches[1].steps[0]"]'))
    assert _flow(site, "panel_drag") == first
    # a whole branching step removed (after its confirm) comes back with 撤销
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('.node[data-path="steps[2]"] .tool[aria-label="移除"]').first.click()
    wait_until(page, "document.querySelectorAll('.branch-head[data-path=\"steps[2]\"]').length === 1")
    assert len(_flow(site, "panel_drag")["steps"]) == 3
    page.locator("#undo").click()
    wait_until(page, "document.querySelectorAll('.branch-head[data-path=\"steps[2]\"]').length === 2")
    assert _flow(site, "panel_drag") == first
    # the ↑ button still moves a node one place up
    page.locator('.node[data-path="steps[1]"] .tool[aria-label="上移"]').click()
    wait_until(page, "document.querySelector('.node[data-path=\"steps[0]\"]').textContent.includes('抄送财务')")


def test_values_a_panel_cannot_show_as_such_survive_a_save_from_it(page: Any, site: Site) -> None:
    odd = {"type": "approval", "name": "多级审批", "mode": "n_of_m", "required": 2,
           "approvers": {"role": ["sales_director", "gm"], "department_head": True, "users": ["admin", "zhang.wei"]},
           "due": {"after": "P1DT4H", "action": "reject"}}
    _new_flow(site, page, "panel_odd", [odd])
    before = _flow(site, "panel_odd")
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    assert panel.get_by_label("阶段 1：超过多久未处理", exact=True).input_value() == "P1DT4H"
    assert panel.get_by_label("需要同意的人数（N）", exact=True).input_value() == "2"
    _save(page)
    assert _flow(site, "panel_odd") == before


def test_approval_options_round_trip_through_the_panel(page: Any, site: Site) -> None:
    _new_flow(site, page, "panel_approval_options", [APPROVE])
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    panel.get_by_label("允许退回发起人修改", exact=True).uncheck()
    panel.get_by_label("允许加签", exact=True).uncheck()
    panel.get_by_label("审批人可修改的字段", exact=True).select_option(["amount", "note"])
    _save(page)
    stored = _flow(site, "panel_approval_options")["steps"][0]
    assert (stored.get("allow_return"), stored.get("allow_add_approver")) == (False, False)
    assert stored["editable_fields"] == ["amount", "note"]
    assert "allow_transfer" not in stored  # allowed is the default: left out

    page.reload()
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    assert not panel.get_by_label("允许退回发起人修改", exact=True).is_checked()
    assert panel.get_by_label("允许转交他人", exact=True).is_checked()
    assert not panel.get_by_label("允许加签", exact=True).is_checked()
    assert panel.get_by_label("审批人可修改的字段", exact=True).evaluate(
        "s => [...s.selectedOptions].map(o => o.value)") == ["amount", "note"]
    before = _flow(site, "panel_approval_options")
    _save(page)
    assert _flow(site, "panel_approval_options") == before


def test_approvers_from_a_department_field_round_trip_through_the_panel(page: Any, site: Site) -> None:
    draft = "/apps/showcase/draft/flows"
    r = site.api.put(f"{draft}/dept_review", json={"key": "dept_review", "name": "客户审核", "form": "customer",
                                                     "trigger": {"on": "submit"}, "steps": [APPROVE]})
    assert r.status_code == 200, r.text
    stored = lambda: next(i["flow"] for i in site.api.get(draft).json()["items"]  # noqa: E731
                          if i["flow"]["key"] == "dept_review")["steps"][0]
    page.goto(f"{site.url}/apps/showcase/builder/flows/dept_review")
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    set_people(panel, "指定成员", [])
    panel.get_by_label("表单中部门字段所指部门", exact=True).select_option("dept")
    panel.get_by_label("部门字段的负责人层级", exact=True).select_option("1")
    _save(page)
    assert stored()["approvers"] == {"department_field": {"field": "dept", "levels_up": 1}}

    page.reload()
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    assert panel.get_by_label("表单中部门字段所指部门", exact=True).input_value() == "dept"
    assert panel.get_by_label("部门字段的负责人层级", exact=True).input_value() == "1"
    before = stored()
    _save(page)
    assert stored() == before


def test_sla_stages_round_trip_through_the_panel_and_a_one_stage_due_becomes_stages_once_edited(
        page: Any, site: Site) -> None:
    _new_flow(site, page, "panel_sla", [APPROVE | {"due": {"after": "PT4H", "action": "approve"}}])
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    assert panel.get_by_label("阶段 1：然后", exact=True).input_value() == "auto_approve"  # the due, as a stage
    assert panel.get_by_label("阶段 1：超过多久未处理", exact=True).input_value() == "4"
    panel.get_by_label("阶段 1：然后", exact=True).select_option("remind")
    panel.get_by_role("button", name="添加时限阶段", exact=True).click()
    panel.get_by_label("阶段 2：超过多久未处理", exact=True).fill("2")
    panel.get_by_label("阶段 2：然后", exact=True).select_option("escalate")
    set_people(panel, "阶段 2：升级给（留空为上级）", ["zhang.wei"])
    panel.get_by_role("button", name="添加时限阶段", exact=True).click()
    panel.get_by_label("阶段 3：超过多久未处理", exact=True).fill("3")
    panel.get_by_label("阶段 3：然后", exact=True).select_option("auto_reject")
    panel.get_by_label("阶段 3：只计工作时间（按工作日历）", exact=True).check()
    _save(page)
    stored = _flow(site, "panel_sla")["steps"][0]
    assert "due" not in stored
    assert stored["sla"] == [{"after": "PT4H", "do": "remind"},
                             {"after": "P2D", "do": "escalate", "to": ["zhang.wei"]},
                             {"after": "P3D", "do": "auto_reject", "business": True}]

    page.reload()
    _open(page, "steps[0]", "审批方式")
    panel = _panel(page)
    assert chosen(panel, "阶段 2：升级给（留空为上级）") == ["zhang.wei"]
    assert panel.get_by_label("阶段 3：只计工作时间（按工作日历）", exact=True).is_checked()
    panel.get_by_role("button", name="阶段 1：删除", exact=True).click()  # the others move up
    assert panel.get_by_label("阶段 1：然后", exact=True).input_value() == "escalate"
    _save(page)
    assert [s["do"] for s in _flow(site, "panel_sla")["steps"][0]["sla"]] == ["escalate", "auto_reject"]
    before = _flow(site, "panel_sla")
    _save(page)
    assert _flow(site, "panel_sla") == before


def test_delete_record_of_the_records_pointing_here_is_built_in_its_panel_with_a_condition(page: Any,
                                                                                         site: Site) -> None:
    _new_flow(site, page, "lost_cleanup", [{"type": "action", "action": "delete_record"}])
    _open(page, "steps[0]", "删除什么")
    panel = _panel(page)
    what = panel.get_by_label("删除什么", exact=True)
    assert what.input_value() == "self"
    what.select_option("related")
    link = panel.get_by_label("哪个表单的哪个关联字段", exact=True)
    offered = link.locator("option").evaluate_all("(options) => options.map((o) => o.value)")
    assert {"quote.opportunity", "contract.opportunity", "followup.opportunity"} <= set(offered)

    # No relation chosen: the engine's refusal shows on that choice, nothing is saved.
    with page.expect_response(lambda r: "/steps" in r.url and r.request.method == "PATCH") as answer:
        page.get_by_role("button", name="保存").click()
    assert answer.value.status == 422, answer.value.text()
    wait_until(page, "document.querySelector('#step-fields [data-option-error=\"related\"]').textContent !== ''")
    assert "related" not in _flow(site, "lost_cleanup")["steps"][0]

    # 报价单 · 商机, 状态 = 草稿 in the condition picker over the quote's fields.
    link.select_option("quote.opportunity")
    panel.get_by_role("button", name="添加条件").click()
    row = panel.locator(".cp-row").first
    row.get_by_label("字段").select_option(label="状态")
    row.get_by_label("值").select_option("草稿")
    _save(page)
    step = _flow(site, "lost_cleanup")["steps"][0]
    assert step["related"] == {"form": "quote", "field": "opportunity", "when": 'status = "草稿"'}

    # Read back after a reload: the same choices, the condition as a picker row; 本记录 takes `related` out.
    page.reload()
    _open(page, "steps[0]", "删除什么")
    panel = _panel(page)
    assert panel.get_by_label("删除什么", exact=True).input_value() == "related"
    assert panel.get_by_label("哪个表单的哪个关联字段", exact=True).input_value() == "quote.opportunity"
    row = panel.locator(".cp-row").first
    assert row.get_by_label("字段").input_value() == "status" and row.get_by_label("值").input_value() == "草稿"
    panel.get_by_label("删除什么", exact=True).select_option("self")
    _save(page)
    assert _flow(site, "lost_cleanup")["steps"][0] == {"type": "action", "action": "delete_record"}
