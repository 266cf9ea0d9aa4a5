"""The chart builder in a real browser, in Chinese: a "各区域本季度成交额" bar chart built by dragging (a
related form's field as the dimension, a relative-date filter), a win-rate KPI built by clicking (a
calculated measure), both saved into a new dashboard, published and opened — the figures equal a sum
computed here over the same records; a refused definition shows the engine's word on its slot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.drag import drag
from tests.browser.wait import wait_until

ZONE = ZoneInfo("Asia/Shanghai")


def _quarter_start(today: date) -> date:
    return date(today.year, (today.month - 1) // 3 * 3 + 1, 1)


@pytest.fixture(scope="module")
def sales(site: Site) -> dict[str, Decimal]:
    """Contracts this quarter and last, by the region of their customer; opportunities won and lost.
    Returns this quarter's total per region, computed here."""
    today = datetime.now(ZONE).date()
    inside, outside = today, _quarter_start(today) - timedelta(days=1)
    customers = {
        region: site.record("crm", "customer", {"name": f"{region}图表客户", "region": region})["id"]
        for region in ("华东", "华南", "华北")
    }
    totals: dict[str, Decimal] = {}
    for region, amount, day in (
        ("华东", "1200.50", inside),
        ("华东", "800.00", inside),
        ("华南", "300.25", inside),
        ("华北", "999.00", outside),
        ("华南", "5000.00", outside),
    ):
        site.record(
            "crm",
            "contract",
            {
                "title": f"{region}合同{amount}",
                "customer": customers[region],
                "amount": amount,
                "signed_on": day.isoformat(),
            },
        )
        if day == inside:
            totals[region] = totals.get(region, Decimal(0)) + Decimal(amount)
    for i, stage in enumerate(("赢单", "输单", "赢单", "输单", "商务谈判")):
        site.record("crm", "opportunity", {"name": f"图表商机{i}", "customer": customers["华东"], "stage": stage})
    return totals


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site, viewport={"width": 1500, "height": 1000})
    yield page
    page.context.close()


def _field(page: Any, key: str) -> Any:
    found = page.locator(f'#cb-fields li.cb-field[data-key="{key}"]')
    found.scroll_into_view_if_needed()
    return found


def _label(page: Any, key: str) -> Any:
    """Where a hand takes a field to drag it: its name (the buttons beside it add it by click)."""
    return _field(page, key).locator(".cb-field-label")


def _ready(page: Any) -> None:
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")


def _preview_rows(page: Any) -> list[list[str]]:
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    return page.eval_on_selector_all(
        "#cb-preview details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )


def test_build_a_bar_chart_and_a_win_rate_kpi_save_publish_and_open(
    page: Any, site: Site, sales: dict[str, Decimal]
) -> None:
    page.goto(f"{site.url}/apps/crm")
    page.locator("#new-chart-link").click()
    _ready(page)
    page.get_by_label("数据来源（表单）").select_option(label="合同")
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="customer.region"]') !== null""")
    page.locator('#cb-types button[data-type="bar"]').click()
    drag(page, _label(page, "customer.region"), page.locator("#cb-dimensions"))
    drag(page, _label(page, "amount"), page.locator("#cb-measures"))
    assert page.locator("#cb-dimensions .cb-chip").inner_text().startswith("客户.所属区域")
    drag(page, _label(page, "amount"), page.locator("#cb-sort-drop"))  # biggest first
    assert page.get_by_label("排序依据").input_value() == "sum_amount" and page.get_by_label("降序").is_checked()
    drag(page, _label(page, "signed_on"), page.locator("#cb-filter-drop"))
    page.locator(".condition-picker .cp-row select.cp-op").select_option(label="本季度")
    page.get_by_label("图表名称").fill("各区域本季度成交额")
    wait_until(
        page, """document.getElementById('cb-json').textContent.includes('INPERIOD(signed_on, \\\\"Q\\\\", 0)')"""
    )
    rows = _preview_rows(page)
    shown = {r[0]: Decimal(r[1].replace(",", "").replace("¥", "")) for r in rows}
    assert [r[0] for r in rows] == sorted(sales, key=lambda region: -sales[region])
    assert shown == sales
    page.get_by_label("仪表盘", exact=True).select_option(label="新建仪表盘…")
    page.get_by_label("新仪表盘名称").fill("图表设计测试看板")
    page.get_by_label("新仪表盘标识（英文）").fill("builder_board")
    page.get_by_label("图表标识（英文）").fill("region_revenue")
    page.get_by_role("button", name="保存图表").click()
    wait_until(page, "!document.getElementById('cb-publish').disabled")
    saved = site.api.get("/apps/crm/draft/reports/builder_board/widgets/region_revenue").json()
    assert saved == {
        "key": "region_revenue",
        "type": "bar",
        "form": "contract",
        "name": "各区域本季度成交额",
        "dimensions": [{"field": "customer.region"}],
        "measures": [{"agg": "sum", "field": "amount"}],
        "filter": 'INPERIOD(signed_on, "Q", 0)',
        "sort": "-sum_amount",
    }

    # Opened again, the filter reads back into the picker's row (本季度), not the expression box.
    page.goto(f"{site.url}/apps/crm/builder/charts/builder_board/region_revenue")
    _ready(page)
    assert page.locator(".condition-picker").get_attribute("data-mode") == "rows"
    assert page.locator(".cp-row select.cp-field").input_value() == "signed_on"
    assert page.locator(".cp-row select.cp-op").input_value() == "this_quarter"
    assert page.locator("#cb-dimensions .cb-chip").count() == 1 and page.get_by_label("降序").is_checked()

    # The win-rate KPI, by clicks only, into the dashboard just made.
    page.goto(f"{site.url}/apps/crm/builder/charts/new?report=builder_board&form=opportunity")
    _ready(page)
    page.locator('#cb-types button[data-type="kpi"]').click()
    page.get_by_role("button", name="添加计算指标").click()
    page.get_by_label("指标名称").fill("赢率")
    page.get_by_label("计算公式").fill('COUNTIF(stage = "赢单") / COUNTIF(stage = "赢单" OR stage = "输单")')
    page.get_by_label("计算指标 显示格式").select_option(label="百分比")
    page.get_by_label("图表名称").fill("赢率")
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    assert page.locator("#cb-preview .kpi-value").inner_text().strip() == "50.0%"  # 2 won of 4 closed
    assert page.get_by_label("仪表盘", exact=True).input_value() == "builder_board"
    page.get_by_label("图表标识（英文）").fill("win_rate")
    page.get_by_role("button", name="保存图表").click()
    wait_until(page, "!document.getElementById('cb-publish').disabled")
    kpi = site.api.get("/apps/crm/draft/reports/builder_board/widgets/win_rate").json()
    assert kpi == {
        "key": "win_rate",
        "type": "kpi",
        "form": "opportunity",
        "name": "赢率",
        "measures": [
            {
                "key": "calc_1",
                "label": "赢率",
                "format": "percent",
                "expr": 'COUNTIF(stage = "赢单") / COUNTIF(stage = "赢单" OR stage = "输单")',
            }
        ],
    }
    page.get_by_role("button", name="发布").click()
    page.locator("#cb-open").wait_for(state="visible")
    page.locator("#cb-open").click()
    page.wait_for_url(f"{site.url}/apps/crm/dashboards/builder_board")
    wait_until(page, "document.querySelectorAll('#widgets .widget').length === 2")
    assert page.locator("h1").first.inner_text().startswith("图表设计测试看板")
    wait_until(page, "document.querySelector('#widgets .kpi-value') !== null")


def test_a_refused_definition_shows_the_engines_word_on_its_slot(
    page: Any, site: Site, sales: dict[str, Decimal]
) -> None:
    page.goto(f"{site.url}/apps/crm/builder/charts/new?form=contract")
    _ready(page)
    page.locator('#cb-types button[data-type="scatter"]').click()
    page.get_by_label("搜索字段").fill("区域")
    visible = page.eval_on_selector_all(
        "#cb-fields li.cb-field:not([hidden])", "items => items.map(i => i.dataset.key)"
    )
    assert "customer.region" in visible and "amount" not in visible
    page.get_by_role("button", name="添加为维度：客户.所属区域").click()
    page.get_by_label("搜索字段").fill("")
    _field(page, "amount").locator('button[data-slot="measures"]').click()
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'error'")
    assert "散点图需要两个指标" in page.locator('.cb-error[data-error-for="measures"]').inner_text()
    assert page.locator("#cb-preview .chart").count() == 0
    page.locator('#cb-types button[data-type="pie"]').click()  # switching keeps what fits
    assert page.locator("#cb-dimensions .cb-chip").count() == 1 and page.locator("#cb-measures .cb-chip").count() == 1
    _preview_rows(page)
    assert page.locator('.cb-error[data-error-for="measures"]').inner_text() == ""


def test_every_crm_widget_opens_in_the_builder_and_saves_back_unchanged(page: Any, site: Site) -> None:
    draft = site.api.get("/apps/crm/draft").json()
    for report, widget in ((r, w) for r in draft["reports"] for w in r["widgets"]):
        page.goto(f"{site.url}/apps/crm/builder/charts/{report['key']}/{widget['key']}")
        _ready(page)
        page.get_by_role("button", name="保存图表").click()
        wait_until(page, "!document.getElementById('cb-publish').disabled")
        after = site.api.get(f"/apps/crm/draft/reports/{report['key']}/widgets/{widget['key']}").json()
        assert after == widget, widget["key"]


def test_a_bars_period_and_comparisons_are_chosen_not_typed(page: Any, site: Site, sales: dict[str, Decimal]) -> None:
    """统计周期 and 环比 / 同比 on a bar: the boxes wait for a period, the preview gains 上期 and 环比 columns, a type
    that does not compare drops them and keeps the period, and clearing the period clears them."""
    page.goto(f"{site.url}/apps/crm/builder/charts/new?form=contract")
    _ready(page)
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="customer.region"]') !== null""")
    page.locator('#cb-types button[data-type="bar"]').click()
    drag(page, _label(page, "customer.region"), page.locator("#cb-dimensions"))
    drag(page, _label(page, "amount"), page.locator("#cb-measures"))
    previous = page.get_by_label("环比（上期）")
    assert previous.is_visible() and previous.is_disabled()  # nothing to compare before a period
    page.get_by_label("统计周期（日期字段）").select_option(label="签约日期")
    page.get_by_label("周期", exact=True).select_option("quarter")
    previous.check()
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"previous\"')")
    rows = {r[0]: r[1:] for r in _preview_rows(page)}
    this_quarter = {region: Decimal(cells[0].replace(",", "").replace("¥", "")) for region, cells in rows.items()
                    if cells[0] != "¥0.00"}
    assert this_quarter == sales  # only this quarter's contracts count
    assert rows["华北"] == ["¥0.00", "¥999.00", "-100.0%"]  # sold last quarter only: 0 and its fall
    assert rows["华南"][1:] == ["¥5,000.00", f"{(sales['华南'] / 5000 - 1) * 100:.1f}%"]
    page.locator('#cb-types button[data-type="pie"]').click()
    wait_until(page, "!document.getElementById('cb-json').textContent.includes('compare')")
    assert not previous.is_visible() and '"quarter"' in page.locator("#cb-json").text_content()
    page.locator('#cb-types button[data-type="bar"]').click()
    previous.check()
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"previous\"')")
    page.get_by_label("统计周期（日期字段）").select_option("")
    wait_until(page, """!document.getElementById('cb-json').textContent.includes('compare')
        && !document.getElementById('cb-json').textContent.includes('period')""")
    assert previous.is_disabled() and not previous.is_checked()
