"""新建流程对话框提供引擎支持的每种触发方式：提交审批、新建时、更新时（选字段）、删除时、日期到达（提前 N 天）、
定时（每天 / 每周 / cron）、按钮、Webhook；每种都建成一个有效的流程，并在设计器里打开它的触发设置。"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

APP = {
    "format": "tangram/app@1",
    "key": "renewals",
    "name": "续约管理",
    "version": "1.0.0",
    "forms": [
        {
            "key": "note",
            "name": "备忘",
            "title_field": "title",
            "fields": [{"key": "title", "type": "text", "label": "标题", "required": True}],
        },
        {
            "key": "contract",
            "name": "合同",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "合同名称", "required": True},
                {"key": "status", "type": "select", "label": "状态", "options": ["执行中", "已到期"]},
                {"key": "ends_on", "type": "date", "label": "到期日"},
            ],
        },
    ],
}

CASES = [  # (the type as the dialog names it, what to fill for it, the trigger saved)
    ("提交审批", {}, {"on": "submit"}),
    ("新建时", {}, {"on": "create"}),
    ("更新时", {"fields": "status"}, {"on": "update", "fields": ["status"]}),
    ("删除时", {}, {"on": "delete"}),
    ("日期到达", {"field": "到期日", "days": "30"}, {"on": "date", "field": "ends_on", "offset": "-P30D"}),
    ("定时", {"every": "每周", "weekday": "星期五", "time": "17:30"}, {"on": "schedule", "cron": "30 17 * * 5"}),
    ("定时", {"every": "每天", "time": "08:00"}, {"on": "schedule", "cron": "0 8 * * *"}),
    ("定时", {"every": "自定义（cron）", "cron": "0 9 1 * *"}, {"on": "schedule", "cron": "0 9 1 * *"}),
    ("按钮", {"label": "发起续约"}, {"on": "button", "label": "发起续约"}),
    ("Webhook", {}, {"on": "webhook"}),
]


@pytest.fixture(scope="module")
def renewals(site: Site) -> Site:
    r = site.api.post("/apps", json=APP)
    assert r.status_code == 201, r.text
    return site


def _draft_flow(site: Site, key: str) -> dict[str, Any]:
    return next(
        i["flow"] for i in site.api.get("/apps/renewals/draft/flows").json()["items"] if i["flow"]["key"] == key
    )


@pytest.mark.parametrize(("on", "fill", "saved"), CASES, ids=[f"{c[2]['on']}-{n}" for n, c in enumerate(CASES)])
def test_every_trigger_type_makes_a_valid_flow_that_opens_with_its_trigger(
    page: Any, renewals: Site, on: str, fill: dict[str, str], saved: dict[str, Any]
) -> None:
    key = f"flow_{saved['on']}_{CASES.index(next(c for c in CASES if c[2] == saved))}"
    page.goto(f"{renewals.url}/apps/renewals/builder/flows")
    dialog = page.locator("#new-flow")
    dialog.get_by_label("流程名称").fill("合同续约")
    dialog.get_by_label("流程标识").fill(key)
    dialog.get_by_label("表单").select_option(label="合同")
    dialog.get_by_label("触发方式").select_option(label=on)
    if "fields" in fill:
        dialog.locator(f'input[name="fields"][value="{fill["fields"]}"]').check()
    if "field" in fill:
        dialog.get_by_label("日期字段").select_option(label=fill["field"])
        dialog.get_by_label("天数").fill(fill["days"])
    for name in ("every", "weekday"):
        if name in fill:
            dialog.locator(f'select[name="{name}"]').select_option(label=fill[name])
    for name in ("time", "cron", "label"):
        if name in fill:
            dialog.locator(f'input[name="{name}"]').fill(fill[name])
    dialog.get_by_role("button", name="创建").click()
    page.wait_for_url(f"{renewals.url}/apps/renewals/builder/flows/{key}#trigger")
    panel = page.locator("#trigger-panel")
    panel.wait_for(state="visible")
    assert panel.get_by_label("触发方式").input_value() == saved["on"]
    trigger = _draft_flow(renewals, key)["trigger"]
    assert {k: trigger[k] for k in saved} == saved
    if saved["on"] == "webhook":
        assert len(trigger["token"]) >= 16 and panel.locator('input[name="token"]').input_value() == trigger["token"]
    assert renewals.api.post("/apps/renewals/publish/check").status_code == 200


def test_the_dialog_offers_only_the_chosen_forms_fields_and_shows_a_refusal_where_it_belongs(
    page: Any, renewals: Site
) -> None:
    page.goto(f"{renewals.url}/apps/renewals/builder/flows")
    dialog = page.locator("#new-flow")
    assert [o.strip() for o in dialog.get_by_label("触发方式").locator("option").all_inner_texts()] == [
        "新建时",
        "更新时",
        "提交审批",
        "删除时",
        "日期到达",
        "定时",
        "按钮",
        "Webhook",
    ]
    dialog.get_by_label("流程名称").fill("备忘提醒")
    dialog.get_by_label("流程标识").fill("note_reminder")
    dialog.get_by_label("表单").select_option(label="备忘")
    dialog.get_by_label("触发方式").select_option(label="日期到达")
    assert dialog.get_by_label("日期字段").locator("option:not([hidden])").all_inner_texts() == ["—"]
    dialog.get_by_role("button", name="创建").click()  # the browser asks for the date field first
    assert page.evaluate("document.querySelector('#new-flow [name=field]').matches(':invalid')")
    dialog.get_by_label("触发方式").select_option(label="定时")
    dialog.locator('select[name="every"]').select_option(label="自定义（cron）")
    dialog.locator('input[name="cron"]').fill("99 9 * * *")
    dialog.get_by_role("button", name="创建").click()
    wait_until(
        page, "document.querySelector('#new-flow [data-error-for=\"cron\"]').textContent.includes('定时表达式无效')"
    )
    assert page.url.endswith("/builder/flows")
    assert all(
        i["flow"]["key"] != "note_reminder" for i in renewals.api.get("/apps/renewals/draft/flows").json()["items"]
    )
