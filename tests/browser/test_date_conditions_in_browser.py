"""条件选择里的日期：在流程设计器的触发条件里选 到期日 早于 7 天前、跟进时间（日期时间）介于 3 天前 至 今天，
写成引擎自己的日期函数，引擎校验通过；发布后新建的记录只有满足条件的才触发流程；重新打开时条件仍显示为选择行。"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Site
from tests.browser.wait import wait_until

APP = {
    "format": "tangram/app@1",
    "key": "dues",
    "name": "账款跟进",
    "version": "1.0.0",
    "forms": [
        {
            "key": "bill",
            "name": "账单",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "名称", "required": True},
                {"key": "due_on", "type": "date", "label": "到期日"},
                {"key": "seen_at", "type": "datetime", "label": "跟进时间"},
                {"key": "flag", "type": "text", "label": "标记"},
            ],
        }
    ],
    "flows": [
        {
            "key": "overdue",
            "name": "逾期提醒",
            "form": "bill",
            "trigger": {"on": "create"},
            "steps": [{"type": "action", "action": "update_record", "set": {"flag": '"逾期"'}}],
        }
    ],
}
WHEN = (
    'DATEDIF(due_on, TODAY(), "D") > 7 AND '
    '(DATEDIF(seen_at, TODAY(), "D") <= 3 AND DATEDIF(seen_at, TODAY(), "D") >= 0)'
)


@pytest.fixture(scope="module")
def dues(site: Site) -> Site:
    r = site.api.post("/apps", json=APP)
    assert r.status_code == 201, r.text
    return site


def _row(panel: Any, n: int) -> Any:
    return panel.locator(".cp-row").nth(n)


def test_a_date_condition_built_in_the_picker_is_what_the_engine_evaluates(page: Any, dues: Site) -> None:
    page.goto(f"{dues.url}/apps/dues/builder/flows/overdue")
    page.locator(".node.trigger").click()
    panel = page.locator("#trigger-panel")
    panel.wait_for(state="visible")
    panel.get_by_role("button", name="添加条件").click()
    first = _row(panel, 0)
    first.get_by_label("字段").select_option(label="到期日")
    assert first.get_by_label("条件").input_value() == "<"
    assert [o.strip() for o in first.get_by_label("条件").locator("option").all_inner_texts()][:3] == [
        "早于",
        "晚于",
        "介于",
    ]
    first.get_by_label("日期值").select_option(label="N 天前")
    first.get_by_label("天").fill("7")
    panel.get_by_role("button", name="添加条件").click()
    second = _row(panel, 1)
    second.get_by_label("字段").select_option(label="跟进时间")
    second.get_by_label("条件").select_option(label="介于")
    second.get_by_label("日期值").first.select_option(label="N 天前")
    second.get_by_label("天").fill("3")
    second.get_by_label("日期值").last.select_option(label="今天")
    assert panel.locator("#trigger-when").input_value() == WHEN
    wait_until(page, "document.querySelector('#trigger-panel .cp-error').textContent === ''")
    checked = dues.api.post("/apps/dues/draft/forms/bill/check-expression", json={"expression": WHEN, "expect": "bool"})
    assert checked.status_code == 200 and checked.json()["not_in_database"] == [], checked.text
    panel.get_by_role("button", name="保存").click()
    wait_until(page, "!document.getElementById('undo').disabled")
    flow = next(
        i["flow"] for i in dues.api.get("/apps/dues/draft/flows").json()["items"] if i["flow"]["key"] == "overdue"
    )
    assert flow["trigger"] == {"on": "create", "when": WHEN}
    page.locator("#publish").click()
    wait_until(page, "document.getElementById('toast').textContent.includes('已发布')")

    # Records on either side of each bound (by days, far from midnight): only the first meets both rows.
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    day = lambda n: (now - timedelta(days=n)).date().isoformat()  # noqa: E731
    moment = lambda n: (now - timedelta(days=n)).isoformat(timespec="seconds")  # noqa: E731
    made = {
        name: dues.record("dues", "bill", {"name": name, "due_on": due, "seen_at": seen})["id"]
        for name, due, seen in (
            ("逾期且近期跟进", day(10), moment(1)),
            ("未到七天", day(3), moment(1)),
            ("跟进太久", day(10), moment(20)),
            ("没有到期日", None, moment(1)),
        )
    }
    flags = {
        name: dues.api.get(f"/apps/dues/forms/bill/records/{rid}").json()["data"].get("flag")
        for name, rid in made.items()
    }
    assert flags == {"逾期且近期跟进": "逾期", "未到七天": None, "跟进太久": None, "没有到期日": None}

    # Opened again, the condition shows as the same rows.
    page.reload()
    page.locator(".node.trigger").click()
    panel.wait_for(state="visible")
    assert panel.locator(".condition-picker").get_attribute("data-mode") == "rows"
    assert _row(panel, 0).get_by_label("条件").input_value() == "<"
    assert _row(panel, 0).get_by_label("日期值").input_value() == "ago"
    assert _row(panel, 0).get_by_label("天").input_value() == "7"
    assert _row(panel, 1).get_by_label("条件").input_value() == "between"
    assert _row(panel, 1).get_by_label("日期值").last.input_value() == "today"


def test_fixed_days_and_blank_on_date_and_datetime_fields_read_back(page: Any, dues: Site) -> None:
    """A fixed day is a date input: DATE(…) against a date field, DATEDIF(…, DATE(…)) against a datetime
    (the engine compares a datetime with a date by its day); 为空 is ISBLANK."""
    page.goto(f"{dues.url}/apps/dues/builder/flows/overdue")
    page.locator("#trigger-panel").wait_for(state="attached")
    fields = page.evaluate("window.tangram.flowDesigner.data.fields")
    rows = [
        ({"field": "due_on", "op": ">", "value": "2026-03-01"}, "due_on > DATE(2026, 3, 1)"),
        ({"field": "seen_at", "op": "<", "value": "2026-03-01"}, 'DATEDIF(seen_at, DATE(2026, 3, 1), "D") > 0'),
        ({"field": "seen_at", "op": ">", "value": "@+5"}, 'DATEDIF(TODAY(), seen_at, "D") > 5'),
        ({"field": "due_on", "op": "blank"}, "ISBLANK(due_on)"),
    ]
    for row, text in rows:
        written = page.evaluate("([r, f]) => window.tangram.conditionText([r], 'AND', f)", [row, fields])
        assert written == text
        back = page.evaluate("([t, f]) => window.tangram.readCondition(t, f)", [text, fields])
        assert back["rows"][0]["op"] == row["op"] and back["rows"][0].get("value") == row.get("value"), text
        assert (
            dues.api.post(
                "/apps/dues/draft/forms/bill/check-expression", json={"expression": text, "expect": "bool"}
            ).status_code
            == 200
        )
    # a datetime compared straight with a date is refused by the engine: the picker never writes it
    assert (
        page.evaluate("([t, f]) => window.tangram.readCondition(t, f)", ["seen_at < DATE(2026, 3, 1)", fields]) is None
    )
