"""Issue 25's scenario end to end in a real browser, in Chinese, on the CRM template with deals loaded here:
"各区域本季度成交额与环比" (won amount by the customer's region this quarter, with the previous quarter's and
the growth on it) and a win-rate KPI card (this quarter, with 上期 and 环比) built from scratch by dragging fields
into their slots and choosing the period (统计周期, 季度) and 环比 — no typed measure — saved into a new
dashboard, a dashboard filter (负责人) added in the dashboard editor, the dashboard opened and filtered, one bar
drilled into (this quarter's won deals of that region only), and the dashboard exported as PNG. Every figure
shown equals one computed here, in Python, from the records created here."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.drag import drag
from tests.browser.wait import wait_until

ZONE = ZoneInfo("Asia/Shanghai")
WIN_RATE = 'COUNTIF(stage = "赢单") / COUNT()'


@dataclass(frozen=True)
class Deal:
    name: str
    region: str
    stage: str
    amount: Decimal
    close: date
    manager: str


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


@pytest.fixture(scope="module")
def deals(site: Site) -> list[Deal]:
    """Won, lost and open deals of three regions, this quarter and the previous one, of two managers."""
    today = datetime.now(ZONE).date()
    start, before = _quarter_start(today), _quarter_start(today) - timedelta(days=20)
    rows = [
        ("华中甲", "华中", "赢单", "8800.00", start, "admin"),
        ("华中乙", "华中", "赢单", "1250.50", today, "zhang.wei"),
        ("华中丙", "华中", "赢单", "6000.00", before, "admin"),
        ("华中丁", "华中", "输单", "3000.00", today, "admin"),
        ("西南甲", "西南", "赢单", "4321.00", today, "zhang.wei"),
        ("西南乙", "西南", "赢单", "2000.00", before, "zhang.wei"),
        ("西南丙", "西南", "商务谈判", "9999.00", today, "admin"),
        ("东北甲", "东北", "赢单", "1000.00", start, "admin"),
        ("东北乙", "东北", "赢单", "700.00", before, "admin"),
        ("东北丙", "东北", "输单", "500.00", before, "zhang.wei"),
    ]
    customers = {
        region: site.record("crm", "customer", {"name": f"{region}场景客户", "region": region})["id"]
        for region in ("华中", "西南", "东北")
    }
    made = []
    for name, region, stage, amount, close, manager in rows:
        data = {"name": f"{name}商机", "customer": customers[region], "stage": stage, "amount": amount,
                "expected_close": close.isoformat(), "manager": manager}
        if stage == "输单":
            data["lost_reason"] = "价格"
        site.record("crm", "opportunity", data)
        made.append(Deal(f"{name}商机", region, stage, Decimal(amount), close, manager))
    return made


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site, viewport={"width": 1500, "height": 1100})
    yield page
    page.context.close()


def _money(value: Decimal) -> str:
    return f"¥{value.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def _percent(value: Decimal | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    shown = f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    return f"+{shown}" if signed and value > 0 else shown


def _by_region(deals: list[Deal], manager: str | None = None) -> dict[str, list[str]]:
    """Per region with a won deal: this quarter's won amount, the previous quarter's (— when none) and the
    growth on it (环比, signed)."""
    this_q = _quarter_start(datetime.now(ZONE).date())
    last_q = _quarter_start(this_q - timedelta(days=1))
    out = {}
    for region in ("华中", "西南", "东北"):
        won = [d for d in deals if d.region == region and d.stage == "赢单" and manager in (None, d.manager)]
        if not won:
            continue
        now = sum((d.amount for d in won if d.close >= this_q), Decimal(0))
        then = sum((d.amount for d in won if last_q <= d.close < this_q), Decimal(0))
        out[region] = [_money(now), _money(then) if then else "—", _percent(now / then - 1 if then else None, signed=True)]
    return out


def _win_rates(deals: list[Deal], manager: str | None = None) -> dict[str, str]:
    """The KPI card's facts: this quarter's win rate over closed deals, the previous quarter's, and 环比."""
    this_q = _quarter_start(datetime.now(ZONE).date())
    last_q = _quarter_start(this_q - timedelta(days=1))

    def rate(first: date, end: date) -> Decimal:
        closed = [d for d in deals if d.stage in ("赢单", "输单") and first <= d.close < end and manager in (None, d.manager)]
        return Decimal(sum(d.stage == "赢单" for d in closed)) / len(closed)

    now, then = rate(this_q, date(9999, 1, 1)), rate(last_q, this_q)
    return {"value": _percent(now), "previous": _percent(then), "previous_growth": _percent(now / then - 1, signed=True)}


def _label(page: Any, key: str) -> Any:
    found = page.locator(f'#cb-fields li.cb-field[data-key="{key}"]')
    found.scroll_into_view_if_needed()
    return found.locator(".cb-field-label")


def _calculated(page: Any, label: str, expression: str, unit: str) -> None:
    page.get_by_role("button", name="添加计算指标").click()
    page.get_by_label("指标名称").last.fill(label)
    page.get_by_label("计算公式").last.fill(expression)
    page.get_by_label("计算指标 显示格式").last.select_option(unit)


def _table(page: Any, where: str) -> dict[str, list[str]]:
    rows = page.eval_on_selector_all(
        f"{where} details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    return {r[0]: r[1:] for r in rows}


def _kpi(page: Any, where: str) -> dict[str, str]:
    facts = page.eval_on_selector_all(f"{where} dd[data-fact]", "ds => ds.map(d => [d.dataset.fact, d.textContent])")
    shown = {key: text.replace("▲", "").replace("▼", "").strip() for key, text in facts}
    shown["value"] = page.locator(f"{where} .kpi-value").inner_text().strip()
    return {k: shown[k] for k in ("value", "previous", "previous_growth")}


def _saved(page: Any) -> None:
    page.get_by_role("button", name="保存图表").click()
    wait_until(page, "!document.getElementById('cb-publish').disabled")


def _drawn(page: Any) -> None:
    wait_until(page, """document.getElementById('widgets').getAttribute('aria-busy') === 'false'
        && document.querySelector('#widgets .widget[data-key="region_won"] .chart[data-drawn]') !== null
        && document.querySelector('#widgets .kpi-value') !== null""")


def test_build_save_filter_drill_and_export_the_region_revenue_dashboard(
    page: Any, site: Site, deals: list[Deal], tmp_path: Path
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # 1. The bar chart, from scratch: the region, the stage and the amount dragged in, the quarter of the close
    # date chosen as its period and 环比 checked.
    page.goto(f"{site.url}/apps/crm")
    page.locator("#new-chart-link").click()
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")
    page.get_by_label("数据来源（表单）").select_option(label="商机")
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="customer.region"]') !== null""")
    page.locator('#cb-types button[data-type="bar"]').click()
    drag(page, _label(page, "customer.region"), page.locator("#cb-dimensions"))
    drag(page, _label(page, "stage"), page.locator("#cb-filter-drop"))
    page.locator(".condition-picker .cp-row select.cp-input").select_option("赢单")
    drag(page, _label(page, "amount"), page.locator("#cb-measures"))
    page.get_by_label("统计周期（日期字段）").select_option(label="预计成交日期")
    page.get_by_label("周期", exact=True).select_option("quarter")
    page.get_by_label("环比（上期）").check()
    page.get_by_label("图表名称").fill("各区域本季度成交额与环比")
    wait_until(page, """document.getElementById('cb-json').textContent.includes('stage = \\\\"赢单\\\\"')
        && document.getElementById('cb-json').textContent.includes('"previous"')""")
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    assert _table(page, "#cb-preview") == _by_region(deals)
    page.get_by_label("仪表盘", exact=True).select_option(label="新建仪表盘…")
    page.get_by_label("新仪表盘名称").fill("区域业绩看板")
    page.get_by_label("新仪表盘标识（英文）").fill("region_board")
    page.get_by_label("图表标识（英文）").fill("region_won")
    _saved(page)
    bar = site.api.get("/apps/crm/draft/reports/region_board/widgets/region_won").json()
    assert bar["dimensions"] == [{"field": "customer.region"}] and bar["filter"] == 'stage = "赢单"'
    assert bar["measures"] == [{"agg": "sum", "field": "amount"}]
    assert bar["period"] == {"field": "expected_close", "bucket": "quarter"} and bar["compare"] == ["previous"]

    # 2. The win-rate KPI: closed deals (the stage dragged into 筛选), this quarter of the close date.
    page.goto(f"{site.url}/apps/crm/builder/charts/new?report=region_board&form=opportunity")
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")
    page.locator('#cb-types button[data-type="kpi"]').click()
    drag(page, _label(page, "stage"), page.locator("#cb-filter-drop"))
    page.locator(".condition-picker .cp-row select.cp-op").select_option("in")
    page.locator(".condition-picker .cp-row select.cp-input").select_option(["赢单", "输单"])
    _calculated(page, "赢率", WIN_RATE, "percent")
    page.get_by_label("统计周期（日期字段）").select_option(label="预计成交日期")
    page.get_by_label("周期", exact=True).select_option("quarter")
    page.get_by_label("图表名称").fill("本季度赢率")
    wait_until(page, "document.getElementById('cb-json').textContent.includes('\"quarter\"')")
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    assert _kpi(page, "#cb-preview") == _win_rates(deals)
    page.get_by_label("图表标识（英文）").fill("win_rate")
    _saved(page)

    # 3. The dashboard editor: a filter on 负责人 for both widgets; saved and published.
    page.goto(f"{site.url}/apps/crm/builder/dashboards/region_board")
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 2")
    page.get_by_label("添加筛选字段").select_option(label="负责人")
    page.get_by_role("button", name="添加", exact=True).click()
    page.get_by_role("button", name="保存", exact=True).click()
    wait_until(page, "() => document.getElementById('editor-state').textContent === '已保存到草稿'")
    assert site.api.get("/apps/crm/draft/reports/region_board").json()["filters"] == [{"field": "manager"}]
    page.get_by_role("button", name="发布", exact=True).click()
    wait_until(page, "() => document.getElementById('editor-state').textContent === '已发布'")

    # 4. The dashboard: every figure as computed here, then filtered to one manager.
    page.get_by_role("link", name="查看").click()
    page.wait_for_url(f"{site.url}/apps/crm/dashboards/region_board")
    _drawn(page)
    assert _table(page, ".widget[data-key='region_won']") == _by_region(deals)
    assert _kpi(page, ".widget[data-key='win_rate']") == _win_rates(deals)
    page.get_by_label("负责人", exact=True).select_option("zhang.wei")
    wait_until(page, """(document.getElementById('widgets').dataset.query || '').includes('manager')
        && document.getElementById('widgets').getAttribute('aria-busy') === 'false'""")
    _drawn(page)
    assert _table(page, ".widget[data-key='region_won']") == _by_region(deals, "zhang.wei")
    assert _kpi(page, ".widget[data-key='win_rate']") == _win_rates(deals, "zhang.wei")

    # 5. Drill into the 西南 bar: the won deals of 西南 under the filter, this quarter's only.
    chart = page.locator(".widget[data-key='region_won'] .chart[data-drawn]")
    box = chart.bounding_box()
    regions = list(_by_region(deals, "zhang.wei"))
    point = chart.evaluate("""(el, row) => {
        const rect = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(0).getData().getItemLayout(row);
        return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2};
    }""", regions.index("西南"))
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.locator("dialog#drill").wait_for(state="visible")
    assert "西南" in page.locator("#drill-title").inner_text()
    wait_until(page, "document.getElementById('drill-count').textContent !== ''")
    this_q = _quarter_start(datetime.now(ZONE).date())
    expected = sorted(d.name for d in deals if d.region == "西南" and d.stage == "赢单" and d.manager == "zhang.wei"
                      and d.close >= this_q)
    assert expected == ["西南甲商机"]  # 西南乙 (won last quarter) is in 上期, not behind this bar
    assert sorted(page.locator("#drill-table tbody a").all_inner_texts()) == expected
    page.keyboard.press("Escape")
    page.locator("dialog#drill").wait_for(state="hidden")

    # 6. Export PNG: a real image of the whole dashboard.
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 PNG").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    png = path.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 20_000
    width, height = struct.unpack(">II", png[16:24])
    assert width > 1000 and height > 300
    assert errors == []
