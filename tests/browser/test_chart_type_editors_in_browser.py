"""The chart builder's type-specific editors in a real browser, in Chinese: a pivot built by dragging fields
into 行 / 列 / 值 (swapped, and the engine's word on 行 when one is missing), a table's 小计 / 合计 switched
off, and a funnel over condition steps added, renamed, reordered (by ↑ / ↓ and by dragging) and removed, each condition written with
the condition picker; every preview equals a count made here over the same records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.drag import drag
from tests.browser.wait import wait_until

CUSTOMERS = [("甲", "华中", "A"), ("乙", "华中", "B"), ("丙", "西南", "A"), ("丁", "西南", "A"), ("戊", "东北", "C")]
STAGES = ["初步接洽", "需求确认", "方案报价", "商务谈判", "赢单", "输单", "赢单", "方案报价"]


@pytest.fixture(scope="module")
def records(site: Site) -> None:
    ids = [site.record("crm", "customer", {"name": f"{name}透视客户", "region": region, "level": level})["id"]
           for name, region, level in CUSTOMERS]
    for i, stage in enumerate(STAGES):
        site.record("crm", "opportunity", {"name": f"漏斗商机{i}", "customer": ids[i % len(ids)], "stage": stage})


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site, viewport={"width": 1500, "height": 1100})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.context.close()
    assert errors == []


def _open(page: Any, site: Site, form: str, kind: str) -> None:
    page.goto(f"{site.url}/apps/crm/builder/charts/new?form={form}")
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")
    page.locator(f'#cb-types button[data-type="{kind}"]').click()


def _label(page: Any, key: str) -> Any:
    found = page.locator(f'#cb-fields li.cb-field[data-key="{key}"]')
    found.scroll_into_view_if_needed()
    return found.locator(".cb-field-label")


def _json(page: Any) -> dict[str, Any]:
    import json

    return json.loads(page.locator("#cb-json").text_content())  # type: ignore[no-any-return]


def _ok(page: Any) -> None:
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")


def test_a_pivot_is_built_by_dragging_into_rows_columns_and_values(page: Any, site: Site, records: None) -> None:
    _open(page, site, "customer", "pivot")
    assert page.locator('.cb-slot[data-slot="dimensions"]').is_hidden() and page.locator("#cb-pivot").is_visible()
    assert page.locator("#cb-measures-name").inner_text() == "值"
    drag(page, _label(page, "region"), page.locator("#cb-rows"))
    drag(page, _label(page, "level"), page.locator("#cb-columns"))
    drag(page, _label(page, ""), page.locator("#cb-measures"))  # 记录数
    _ok(page)
    assert _json(page)["dimensions"] == [{"field": "region"}, {"field": "level"}]
    counted = Counter((region, level) for _, region, level in CUSTOMERS)
    head = page.eval_on_selector_all("#cb-preview table.pivot thead th", "c => c.map(x => x.textContent)")
    body = page.eval_on_selector_all(
        "#cb-preview table.pivot tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    levels = head[1:-1]
    shown = {(row[0], level): row[1 + j] for row in body for j, level in enumerate(levels) if row[1 + j]}
    assert shown == {key: str(n) for key, n in counted.items()}
    assert [row[-1] for row in body] == [str(sum(n for (r, _), n in counted.items() if r == row[0])) for row in body]

    page.get_by_role("button", name="行列互换：所属区域").click()  # the row becomes the column
    _ok(page)
    assert _json(page)["dimensions"] == [{"field": "level"}, {"field": "region"}]
    assert page.locator("#cb-rows .cb-chip-label").inner_text() == "客户等级"

    page.get_by_role("button", name="移除：所属区域").click()  # one dimension left: the engine says so on 行
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'error'")
    assert "透视表需要 2 个维度" in page.locator('.cb-error[data-error-for="rows"]').inner_text()
    drag(page, _label(page, "region"), page.locator("#cb-columns"))
    _ok(page)
    assert page.locator('.cb-error[data-error-for="rows"]').inner_text() == ""


def test_a_tables_subtotals_and_total_can_be_turned_off(page: Any, site: Site, records: None) -> None:
    _open(page, site, "customer", "table")
    page.get_by_role("button", name="添加为维度：所属区域").click()
    page.get_by_role("button", name="添加为维度：客户等级").click()
    page.get_by_role("button", name="添加为指标：记录数").click()
    _ok(page)
    subtotals = page.eval_on_selector_all(
        "#cb-preview tr.subtotal", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    regions = Counter(region for _, region, _ in CUSTOMERS)
    assert sorted(subtotals) == sorted([f"{region} 小计", str(n)] for region, n in regions.items())
    assert page.locator("#cb-preview tfoot tr").inner_text().split() == ["合计", str(len(CUSTOMERS))]

    page.get_by_label("显示小计（按第一个维度）").uncheck()
    page.get_by_label("显示合计").uncheck()
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"totals\": false')")
    _ok(page)
    assert _json(page)["subtotals"] is False and _json(page)["totals"] is False
    assert page.locator("#cb-preview tr.subtotal").count() == 0 and page.locator("#cb-preview tfoot").count() == 0
    page.locator('#cb-types button[data-type="bar"]').click()  # a bar has neither: switching drops them
    assert "subtotals" not in _json(page) and "totals" not in _json(page)


def _step_condition(page: Any, index: int) -> Any:
    return page.locator(f'#cb-steps li.cb-step[data-index="{index}"] .condition-picker')


def test_a_funnel_over_condition_steps_is_edited_step_by_step(page: Any, site: Site, records: None) -> None:
    _open(page, site, "opportunity", "funnel")
    page.get_by_role("button", name="添加为指标：记录数").click()
    for _ in range(4):
        page.get_by_role("button", name="添加步骤").click()
    page.get_by_label("步骤名称 1").fill("全部商机")
    page.get_by_label("步骤名称 2").fill("已报价")
    page.get_by_label("步骤名称 3").fill("赢单")
    page.get_by_label("步骤名称 4").fill("多余")
    quoted = _step_condition(page, 1)
    quoted.locator(".cp-add").click()
    quoted.locator("select.cp-field").select_option("stage")
    quoted.locator("select.cp-op").select_option("in")
    quoted.locator("select.cp-input").select_option(["方案报价", "商务谈判", "赢单", "输单"])
    won = _step_condition(page, 2)
    won.locator(".cp-add").click()
    won.locator("select.cp-field").select_option("stage")
    won.locator("select.cp-input").select_option("赢单")
    page.get_by_role("button", name="移除：多余").click()
    page.get_by_role("button", name="上移：赢单").click()  # wrong order on purpose, then back
    assert [s["label"] for s in _json(page)["steps"]] == ["全部商机", "赢单", "已报价"]
    page.get_by_role("button", name="下移：赢单").click()
    steps = page.locator("#cb-steps li.cb-step")
    drag(page, steps.nth(2).locator(".cb-step-handle"), steps.nth(0), below=False)  # by hand: 赢单 first
    wait_until(page, "document.querySelector('#cb-steps li.cb-step .cb-step-label').value === '赢单'")
    assert [s["label"] for s in _json(page)["steps"]] == ["赢单", "全部商机", "已报价"]
    drag(page, steps.nth(0).locator(".cb-step-handle"), steps.nth(2))  # and back, after 已报价
    wait_until(page, "document.querySelector('#cb-steps li.cb-step .cb-step-label').value === '全部商机'")
    _ok(page)
    steps = _json(page)["steps"]
    assert [s["label"] for s in steps] == ["全部商机", "已报价", "赢单"] and "filter" not in steps[0]
    assert steps[2]["filter"] == 'stage = "赢单"'

    counts = [len(STAGES), sum(s in ("方案报价", "商务谈判", "赢单", "输单") for s in STAGES), STAGES.count("赢单")]
    rows = page.eval_on_selector_all(
        "#cb-preview details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [(r[0], r[1]) for r in rows] == list(zip(["全部商机", "已报价", "赢单"], map(str, counts), strict=True))
    assert rows[2][2] == f"{counts[2] / counts[1]:.1%}"

    # A condition the engine refuses is shown on its step.
    won.locator(".cp-mode").click()
    page.get_by_label("步骤条件 3").fill("stage >")
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'error'")
    assert page.locator('#cb-steps li.cb-step[data-index="2"]').get_attribute("aria-invalid") == "true"
    assert page.locator('.cb-error[data-error-for="steps"]').inner_text() != ""


def test_a_kpi_hides_the_dimension_slot_not_the_first_fields_button(page: Any, site: Site, records: None) -> None:
    _open(page, site, "customer", "kpi")  # the slot was found by [data-slot], which the field buttons carry too
    assert page.locator('.cb-slot[data-slot="dimensions"]').is_hidden()
    assert page.get_by_role("button", name="添加为维度：客户编号").is_visible()


def _fields(page: Any) -> tuple[list[str], list[str]]:
    shown = _json(page)
    return [d["field"] for d in shown.get("dimensions", [])], [m.get("field", m["agg"]) for m in shown.get("measures", [])]


def test_trying_chart_types_one_after_another_loses_no_field(page: Any, site: Site, records: None) -> None:
    """A KPI takes no dimension and a pie one measure, a map only an address first: what a type leaves out waits
    aside and comes back with the next type that takes it."""
    _open(page, site, "customer", "bar")
    page.get_by_role("button", name="添加为维度：所属区域").click()
    page.get_by_role("button", name="添加为指标：记录数").click()
    page.get_by_role("button", name="添加为指标：客户等级").click()
    _ok(page)
    for kind, expected in [
        ("kpi", ([], ["count"])),
        ("pie", (["region"], ["count"])),
        ("bar", (["region"], ["count", "level"])),
        ("map", ([], ["count"])),  # 所属区域 is no address: the map waits for one
        ("line", (["region"], ["count", "level"])),
    ]:
        page.locator(f'#cb-types button[data-type="{kind}"]').click()
        assert _fields(page) == expected, kind
    page.get_by_role("button", name="添加为维度：所在地区").click()
    page.locator('#cb-types button[data-type="map"]').click()
    assert _fields(page) == (["address"], ["count"])
    _ok(page)
    page.locator('#cb-types button[data-type="table"]').click()
    assert _fields(page) == (["address", "region"], ["count", "level"])
    page.get_by_label("数据来源（表单）").select_option(label="商机")  # another form starts afresh
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="stage"]') !== null""")
    page.locator('#cb-types button[data-type="bar"]').click()
    assert _fields(page) == ([], [])


def test_a_measure_is_declared_in_days_or_as_a_whole_number(page: Any, site: Site, records: None) -> None:
    _open(page, site, "customer", "kpi")
    page.get_by_role("button", name="添加计算指标").click()
    page.get_by_label("计算公式").fill("COUNT() / 4")
    _ok(page)
    page.get_by_label("计算指标 显示格式").select_option(label="天数")
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"format\": \"days\"')")
    _ok(page)
    assert page.locator("#cb-preview .kpi-value").inner_text().strip().endswith(" 天")
    page.get_by_label("计算指标 显示格式").select_option(label="整数")
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"format\": \"count\"')")
    _ok(page)
    assert "." not in page.locator("#cb-preview .kpi-value").inner_text()


def test_a_funnels_stages_are_ticked_among_its_selects_options(page: Any, site: Site, records: None) -> None:
    """销售漏斗 without 输单: the options of the funnel's select are ticked or not; all ticked writes no `stages`."""
    _open(page, site, "opportunity", "funnel")
    assert page.locator("#cb-stages-slot").is_hidden()  # no select dimension yet: nothing to choose among
    page.get_by_role("button", name="添加为维度：销售阶段").click()
    page.get_by_role("button", name="添加为指标：记录数").click()
    _ok(page)
    boxes = page.locator("#cb-stages input[data-stage]")
    options = boxes.evaluate_all("bs => bs.map(b => b.dataset.stage)")
    assert "输单" in options and all(boxes.nth(i).is_checked() for i in range(len(options)))
    page.locator("#cb-stages").get_by_label("输单").uncheck()
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"stages\"')")
    _ok(page)
    kept = [o for o in options if o != "输单"]
    assert _json(page)["stages"] == kept
    rows = page.eval_on_selector_all(
        "#cb-preview details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [(r[0], r[1]) for r in rows] == [(stage, str(STAGES.count(stage))) for stage in kept]
    page.locator("#cb-stages").get_by_label("输单").check()
    wait_until(page, "!document.getElementById('cb-json').textContent.includes('\"stages\"')")
    page.locator('#cb-types button[data-type="bar"]').click()
    assert "stages" not in _json(page) and page.locator("#cb-stages-slot").is_hidden()


def test_every_chart_type_the_server_lists_is_built_by_clicks_and_previewed(page: Any, site: Site,
                                                                           records: None) -> None:
    """Each of the 14 types, from an empty builder: the fields it needs added by their buttons (a gauge's 目标
    typed), and the engine draws the preview with no error — the builder never offers a chart it cannot build."""
    needs = {"pivot": ["所属区域", "客户等级"], "map": ["所在地区"], "funnel": ["客户等级"], "kpi": [], "gauge": []}
    built = []
    _open(page, site, "customer", "bar")
    listed = page.eval_on_selector_all("#cb-types button", "bs => bs.map(b => b.dataset.type)")
    assert len(listed) == 14
    for kind in listed:
        _open(page, site, "customer", kind)
        for label in needs.get(kind, ["所属区域"]):
            page.get_by_role("button", name=f"添加为维度：{label}").click()
        page.get_by_role("button", name="添加为指标：记录数").click()
        if kind == "scatter":
            page.get_by_role("button", name="添加为指标：累计成交金额").click()
        if kind == "gauge":
            page.locator("#cb-target").fill("10")
        _ok(page)
        assert page.locator("#cb-preview [aria-invalid], #cb-preview .error:not(:empty)").count() == 0, kind
        shown = _json(page)
        assert len(shown.get("dimensions", [])) == len(needs.get(kind, ["所属区域"])), kind
        built.append(shown["type"])
    assert built == listed
