"""The flow designer's trigger panel and condition picker in a real browser, in Chinese: change a flow's
trigger to 更新时 with the field 状态 and a condition built in the picker (状态 = 已成交 且 金额 > 10000),
save, reload and see it again (round trip), the stored definition checked through the API; switch to 定时
weekly and see the next three runs; build a branch condition with the picker; an expert expression the
picker cannot show stays as typed, and the engine's error shows under the picker."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

SALES = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [{"key": "deal", "name": "商机", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称", "required": True},
        {"key": "status", "type": "select", "label": "状态", "options": ["跟进中", "已成交", "已流失"]},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "signed_on", "type": "date", "label": "签约日期"},
    ]}],
    "flows": [{"key": "deal_notice", "name": "成交通知", "form": "deal", "trigger": {"on": "create"}, "steps": [
        {"type": "condition", "branches": [
            {"name": "大单", "when": "TRUE", "steps": []}, {"name": "其他", "default": True, "steps": []}]}]}],
}
URL = "/apps/sales/builder/flows/deal_notice"


@pytest.fixture(scope="module")
def sales(site: Site) -> Site:
    r = site.api.post("/apps", json=SALES)
    assert r.status_code == 201, r.text
    return site


def _flow(site: Site) -> dict[str, Any]:
    return next(i["flow"] for i in site.api.get("/apps/sales/draft/flows").json()["items"]
                if i["flow"]["key"] == "deal_notice")


def _row(panel: Any, n: int) -> Any:
    return panel.locator(".cp-row").nth(n)


def _open_trigger(page: Any) -> Any:
    page.locator(".node.trigger").click()
    panel = page.locator("#trigger-panel")
    panel.wait_for(state="visible")
    return panel


def test_trigger_and_conditions_are_built_in_the_panel_and_read_back(page: Any, sales: Site) -> None:
    site = sales
    page.goto(f"{site.url}{URL}")
    panel = _open_trigger(page)
    panel.get_by_label("触发方式").select_option(label="更新时")
    panel.locator('input[name="fields"][value="status"]').check()
    panel.get_by_role("button", name="添加条件").click()
    _row(panel, 0).get_by_label("字段").select_option(label="状态")
    _row(panel, 0).get_by_label("值").select_option("已成交")
    panel.get_by_role("button", name="添加条件").click()
    _row(panel, 1).get_by_label("字段").select_option(label="金额")
    _row(panel, 1).get_by_label("条件").select_option(label=">")
    _row(panel, 1).get_by_label("值").fill("10000")
    assert panel.locator("#trigger-when").input_value() == 'status = "已成交" AND amount > 10000'
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.node.trigger').textContent.includes('更新时')")
    assert _flow(site)["trigger"] == {"on": "update", "fields": ["status"], "when": 'status = "已成交" AND amount > 10000'}

    # Reloaded, the panel shows the same trigger and the condition as picker rows again.
    page.reload()
    panel = _open_trigger(page)
    assert panel.get_by_label("触发方式").input_value() == "update"
    assert panel.locator('input[name="fields"][value="status"]').is_checked()
    assert panel.locator(".condition-picker").get_attribute("data-mode") == "rows"
    assert _row(panel, 0).locator(".cp-field").input_value() == "status"
    assert _row(panel, 0).locator(".cp-input").input_value() == "已成交"
    assert _row(panel, 1).locator(".cp-field").input_value() == "amount"
    assert _row(panel, 1).locator(".cp-op").input_value() == ">"
    assert _row(panel, 1).locator(".cp-input").input_value() == "10000"
    assert panel.locator(".cp-join").input_value() == "AND"

    # 定时, every Monday at 08:30: the engine's next three runs are shown before saving.
    panel.get_by_label("触发方式").select_option(label="定时")
    panel.get_by_label("频率").select_option(label="每周")
    panel.get_by_label("星期", exact=True).select_option(label="星期一")
    panel.get_by_label("时间", exact=True).fill("08:30")
    wait_until(page, "document.querySelectorAll('#trigger-next-runs li').length === 3 && "
                     "[...document.querySelectorAll('#trigger-next-runs li')].every(li => li.textContent.endsWith('08:30'))")
    runs = page.eval_on_selector_all("#trigger-next-runs li", "items => items.map(li => li.dataset.at)")
    assert all(run.endswith("T08:30:00+08:00") for run in runs) and runs == sorted(runs)
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.node.trigger').textContent.includes('定时')")
    assert _flow(site)["trigger"] == {"on": "schedule", "cron": "30 8 * * 1", "when": 'status = "已成交" AND amount > 10000'}

    # A branch condition built with the picker (the starter TRUE is an expression: cleared first).
    page.locator('.branch-head[data-branch="0"]').click()
    step = page.locator("#step-panel")
    step.locator("#branch-when").fill("")
    step.locator(".cp-mode").click()
    step.get_by_role("button", name="添加条件").click()
    _row(step, 0).get_by_label("字段").select_option(label="金额")
    _row(step, 0).get_by_label("条件").select_option(label="≥")
    _row(step, 0).get_by_label("值").fill("5000")
    step.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.branch-head[data-branch=\"0\"]').textContent.includes('amount >= 5000')")
    branches = _flow(site)["steps"][0]["branches"]
    assert branches[0]["when"] == "amount >= 5000" and branches[1]["default"] is True

    # An expression the picker cannot show stays as typed; an error of the engine shows under the picker.
    panel = _open_trigger(page)
    panel.locator(".cp-mode").click()
    panel.locator("#trigger-when").fill("nosuch > 1")
    wait_until(page, "document.querySelector('#trigger-panel .cp-error').textContent.includes('nosuch')")
    expert = '(status = "已成交" OR amount > 10000) AND DATEDIF(created_at, NOW(), "D") > 3'
    panel.locator("#trigger-when").fill(expert)
    wait_until(page, "document.querySelector('#trigger-panel .cp-error').textContent === ''")
    page.evaluate("document.getElementById('toast').textContent = ''")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.getElementById('toast').textContent !== ''")
    assert page.locator("#toast").inner_text() == "已保存"
    assert _flow(site)["trigger"]["when"] == expert
    page.reload()
    panel = _open_trigger(page)
    assert panel.locator(".condition-picker").get_attribute("data-mode") == "expert"
    assert panel.locator("#trigger-when").input_value() == expert
    assert panel.locator(".cp-note").inner_text() != ""
    panel.locator(".cp-mode").click()  # the picker refuses to take it over: the text is kept
    assert panel.locator("#trigger-when").input_value() == expert


def test_a_refusal_shows_at_its_panel_field_and_a_date_trigger_is_read_back(page: Any, sales: Site) -> None:
    reset = sales.api.patch("/apps/sales/draft/flows/deal_notice/trigger", json={"on": "create", "when": None})
    assert reset.status_code == 200, reset.text
    page.goto(f"{sales.url}{URL}")
    panel = _open_trigger(page)
    panel.get_by_label("触发方式").select_option(label="按钮")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('#trigger-panel [data-error-for=\"label\"]').textContent.includes('成交通知')")
    panel.get_by_label("按钮文字").fill("通知财务")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.node.trigger').textContent.includes('按钮')")
    assert _flow(sales)["trigger"]["label"] == "通知财务"

    # 日期到达: 3 days before 签约日期 at 08:00, every year — read back after a reload.
    panel.get_by_label("触发方式").select_option(label="日期到达")
    panel.get_by_label("日期字段").select_option(label="签约日期")
    panel.get_by_label("提前或推后").select_option(label="提前")
    panel.get_by_label("天数").fill("3")
    panel.get_by_label("当天几点").fill("08:00")
    panel.get_by_label("重复").select_option(label="每年")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.querySelector('.node.trigger').textContent.includes('日期到达')")
    assert _flow(sales)["trigger"] == {"on": "date", "field": "signed_on", "offset": "-P3D", "at": "08:00", "repeat": "yearly"}
    page.reload()
    panel = _open_trigger(page)
    assert panel.locator("#trigger-days").input_value() == "3"
    assert panel.locator("#trigger-direction").input_value() == "-"
    assert panel.get_by_label("日期字段").input_value() == "signed_on"

    # 撤销 puts the previous trigger (3 days before) back, and the open panel shows it.
    panel.get_by_label("天数").fill("5")
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "document.getElementById('trigger-days').value === '5' && !document.getElementById('undo').disabled")
    page.locator("#undo").click()
    wait_until(page, "document.getElementById('trigger-days').value === '3'")
    assert _flow(sales)["trigger"]["offset"] == "-P3D"


def test_every_operator_the_picker_offers_writes_text_the_engine_accepts_and_reads_back(page: Any, sales: Site) -> None:
    """Each field × each operator the picker offers for it: the text it writes passes the engine's check on
    the form and is read back into the same row; text it did not write goes to the expert box."""
    r = sales.api.post("/apps", json={**SALES, "key": "picker", "flows": [
        {"key": "probe", "name": "探针", "form": "thing", "trigger": {"on": "create"}, "steps": []}], "forms": [{
        "key": "thing", "name": "事物", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称"},
            {"key": "status", "type": "select", "label": "状态", "options": ["甲", "乙 \"丙\""]},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "due_on", "type": "date", "label": "日期"},
            {"key": "seen_at", "type": "datetime", "label": "时间"},
            {"key": "done", "type": "boolean", "label": "完成"},
            {"key": "keeper", "type": "user", "label": "负责人"},
            {"key": "tags", "type": "multi_select", "label": "标签", "options": ["a"]},
            {"key": "total", "type": "formula", "label": "合计", "formula": "amount * 2"}]}]})
    assert r.status_code == 201, r.text
    page.goto(f"{sales.url}/apps/picker/builder/flows/probe")
    page.locator("#trigger-panel").wait_for(state="attached")
    fields = page.evaluate("window.tangram.flowDesigner.data.fields")  # with the kinds the engine gives them
    values = {"text": '有 "引号" 的\\文本', "select": "甲", "money": "-12.5", "formula": "3", "date": "2026-02-03",
              "datetime": "@-7", "user": "zhang.wei"}
    cases = page.evaluate("""([fields, values]) => fields.flatMap((f) =>
        window.tangram.conditionOperators(f).map((op) => {
          const value = values[f.type] || "x";
          const row = {field: f.key, op, value: op === "last_days" ? "7" : (op === "in" || op === "not_in")
                       ? f.options.map((o) => o.value) : value, value2: value};
          const text = window.tangram.conditionText([row], "AND", fields);
          const back = window.tangram.readCondition(text, fields);
          return {field: f.key, op, text, back: back && back.rows.length === 1 ? back.rows[0] : null};
        }))""", [fields, values])
    offered = {(c["field"], c["op"]) for c in cases}
    assert {("status", "in"), ("due_on", "between"), ("seen_at", "last_days"), ("total", "between"),
            ("keeper", "me"), ("done", "is_false"), ("name", "not_contains")} <= offered
    # a datetime is compared by its day (DATEDIF); not offered: what the engine refuses (a list compared or
    # blank-checked)
    assert ("seen_at", ">") in offered and not {op for f, op in offered if f == "tags"}
    for case in cases:
        assert case["text"] and case["back"] and case["back"]["op"] == case["op"], case
        checked = sales.api.post("/apps/picker/draft/forms/thing/check-expression", json={"expression": case["text"]})
        assert checked.status_code == 200, (case, checked.text)
    for expert in ("amount * 2 > 10", "amount > 1 AND amount < 2 OR amount = 3", "IF(done, TRUE, FALSE)",
                   'NOT (status = "甲")', "amount > 1 AND nosuch = 2", "tags = 1"):
        assert page.evaluate("([t, f]) => window.tangram.readCondition(t, f)", [expert, fields]) is None, expert
