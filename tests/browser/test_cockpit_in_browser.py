"""销售驾驶舱 in a real browser, on the CRM's demo data: every widget drawn, every number as a boss reads it
(¥ with separators and 万 on cards and axes, 57.0% not 0.5701, a sales cycle in days and never negative),
counts and money on separate axes, 统计期 under the date series, and a KPI that drills to its records."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from engine.reports.formats import format_short, format_value
from runtime.demo.load import load_demo
from tests.browser.conftest import Site
from tests.browser.wait import wait_until

PAGE = "/apps/crm/dashboards/sales_cockpit"
TEMPLATE = Path(__file__).resolve().parents[2] / "apps" / "crm_template.json"
RAW = re.compile(r"-?\d+\.\d{3,}")  # a rate or an amount as stored: 0.5701, 1234567.505
CHARTS = {"bar", "horizontal_bar", "line", "funnel", "gauge", "map"}


@pytest.fixture(scope="module")
def cockpit(site: Site) -> dict[str, Any]:
    """The demo data loaded into the site; the cockpit's widgets as the API answers them."""
    assert site.db is not None
    load_demo(site.db, "crm", 40, seed=3, progress=False)
    r = site.api.get("/apps/crm/reports/sales_cockpit")
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in r.json()["widgets"]}


@pytest.fixture
def errors(page: Any) -> Iterator[list[str]]:
    seen: list[str] = []
    page.on("pageerror", lambda e: seen.append(str(e)))
    yield seen
    assert seen == []


def _open(page: Any, site: Site, cockpit: dict[str, Any]) -> None:
    page.goto(site.url + PAGE)
    charts = sum(w["type"] in CHARTS for w in cockpit.values())
    wait_until(page, """n => document.getElementById('widgets').getAttribute('aria-busy') === 'false'
        && document.querySelectorAll('#widgets .chart[data-drawn]').length === n""", arg=charts)


def _axes(page: Any, key: str, values: list[float]) -> list[list[str]]:
    """Each value axis of a chart labelling `values`, as ECharts would draw its ticks."""
    return page.evaluate("""([key, values]) => {
        const chart = echarts.getInstanceByDom(document.querySelector(`.widget[data-key="${key}"] .chart`));
        const option = chart.getOption();
        const axes = option.series[0].type === "bar" && option.yAxis[0].type === "category" ? option.xAxis : option.yAxis;
        return axes.map(a => values.map(v => a.axisLabel.formatter(v)));
    }""", [key, values])  # type: ignore[no-any-return]


def test_every_cockpit_figure_is_shown_as_a_boss_reads_it(page: Any, site: Site, cockpit: dict[str, Any],
                                                           errors: list[str]) -> None:
    _open(page, site, cockpit)
    assert page.locator(".widget").count() == len(cockpit)
    shown = page.locator("#widgets").evaluate(
        "n => [...n.querySelectorAll('td, dd, .kpi-value')].map(c => c.textContent.trim())")
    assert shown and not [text for text in shown if RAW.fullmatch(text.replace(",", ""))]

    def kpi(key: str) -> Any:
        return page.locator(f".widget[data-key='{key}'] .kpi")

    assert kpi("win_rate").locator(".kpi-value").inner_text() == cockpit["win_rate"]["formatted"][0][0]
    assert re.fullmatch(r"\d{1,3}\.\d%", kpi("win_rate").locator(".kpi-value").inner_text())  # 57.0%, never 0.5701
    amount = kpi("sales_amount").locator(".kpi-value")
    assert amount.inner_text() == cockpit["sales_amount"]["formatted_short"][0][0]  # ¥211.8万
    assert re.fullmatch(r"¥\d{1,3}(,\d{3})*(\.\d{1,2})?万", amount.inner_text())
    assert amount.get_attribute("title") == cockpit["sales_amount"]["formatted"][0][0]  # ¥2,117,521.22 on hover
    facts = dict(zip(kpi("sales_amount").locator("dt").all_inner_texts(),
                     kpi("sales_amount").locator("dd").all_inner_texts(), strict=True))
    assert facts["目标"] == "¥30,000,000.00" and re.fullmatch(r"[▲▼–] [+-]?\d+\.\d%", facts["环比"])
    assert kpi("sales_amount").locator(".period").inner_text().startswith("统计期 ")
    cycle = kpi("sales_cycle").locator(".kpi-value").inner_text()
    assert re.fullmatch(r"\d+\.\d 天", cycle)  # a duration in days, never negative

    pipeline = _axes(page, "pipeline_by_stage", [12000, 5000000])
    assert pipeline == [["1.2万", "500万"], ["¥1.2万", "¥500万"]]  # 商机数 left, the amounts right
    assert len(_axes(page, "monthly_sales", [1])) == 2  # 签约金额 and 合同数 each on their own axis
    assert page.locator(".widget[data-key='monthly_sales'] .period").inner_text().startswith("统计期 ")
    dial = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('.widget[data-key="sales_quarter"] .chart'))
        .getOption().series[0].max""")
    assert dial == 90000000  # the gauge's end is the quarter's target
    provinces = page.evaluate("""() => echarts.getInstanceByDom(document.querySelector('.widget[data-key="by_province"] .chart'))
        .getOption().series[0].data.filter(d => d.row !== undefined).map(d => d.name)""")
    shown_provinces = {r[0] for r in cockpit["by_province"]["rows"] if r[0]}
    assert sorted(provinces) == sorted(p.removesuffix("省").removesuffix("市") for p in shown_provinces)  # 江苏省 → 江苏
    assert page.evaluate("() => echarts.getMap('china').geoJSON.features.length") >= 34  # every province drawn
    funnel = page.locator(".widget[data-key='lead_funnel'] table tbody tr").evaluate_all(
        "rows => rows.map(r => r.cells[0].textContent)")
    assert funnel == ["线索", "商机", "赢单"]


def test_a_kpi_drills_down_to_the_records_behind_its_value(page: Any, site: Site, cockpit: dict[str, Any],
                                                           errors: list[str]) -> None:
    _open(page, site, cockpit)
    page.locator(".widget[data-key='contracts_signed'] .kpi-value").click()
    wait_until(page, "document.getElementById('drill-count').textContent !== ''")
    assert page.locator("#drill-title").inner_text().startswith("本月签约合同数 · 统计期 ")
    assert page.locator("#drill-table tbody tr").count() == cockpit["contracts_signed"]["rows"][0][0]



REPORTS = [r["key"] for r in json.loads(TEMPLATE.read_text("utf-8"))["reports"]]
SHOWN_TEXTS = """() => [...document.querySelectorAll('#widgets .widget')].flatMap(box => {
    const texts = [...box.querySelectorAll('td, th, dd, .kpi-value')].map(n => n.textContent.trim());
    const chart = box.querySelector('.chart') && echarts.getInstanceByDom(box.querySelector('.chart'));
    if (!chart) return texts;
    const option = chart.getOption();  // the tooltips: each series' valueFormatter or the chart's formatter
    const tip = (option.tooltip || [])[0] || {};
    for (const [s, series] of option.series.entries()) for (const [i, item] of (series.data || []).entries()) {
        const value = item && typeof item === 'object' ? item.value : item;
        if (series.tooltip && series.tooltip.valueFormatter && !Array.isArray(value)) texts.push(series.tooltip.valueFormatter(value));
        else if (typeof tip.formatter === 'function') texts.push(tip.formatter({name: item && item.name, value, data: item}));
    }
    // what the chart drew: axis labels, slice and stage labels, a donut's total
    return texts.concat(chart.getZr().storage.getDisplayList(true).map(e => e.style && e.style.text).filter(Boolean).map(String));
})"""
UNFORMATTED = re.compile(r"-?\d+\.\d{3,}|-?\d{5,}(\.\d+)?")  # 0.5701, 1234567.5, 2117521: as stored, not as read


@pytest.mark.parametrize("report", REPORTS)
def test_every_crm_widget_shows_its_numbers_formatted(page: Any, site: Site, cockpit: dict[str, Any], report: str,
                                                      errors: list[str]) -> None:
    """Each CRM dashboard on demo data: cells, KPI cards, tooltips and what its charts draw carry no number as
    stored (0.5701, 1234567.5), and no sales cycle or count below zero."""
    widgets = site.api.get(f"/apps/crm/reports/{report}").json()["widgets"]
    page.goto(f"{site.url}/apps/crm/dashboards/{report}")
    charts = sum(w["type"] in CHARTS | {"pie", "donut", "stacked_bar", "area", "scatter"} for w in widgets)
    wait_until(page, """n => document.getElementById('widgets').getAttribute('aria-busy') === 'false'
        && document.querySelectorAll('#widgets .chart[data-drawn]').length === n""", arg=charts)
    shown = page.evaluate(SHOWN_TEXTS)
    assert len(shown) > len(widgets)
    words = [word for text in shown for word in re.split(r"[\s:：，|()（）]+", text) if word]
    assert [w for w in words if UNFORMATTED.fullmatch(w.lstrip("¥+"))] == []
    assert not [t for t in shown if re.search(r"-\d+(\.\d)? 天", t)]  # a negative duration

GALLERY = {  # one widget of every type over the CRM's opportunities (no map: the cockpit has one)
    "format": "tangram/app@1", "key": "gallery", "name": "图表示例", "version": "1.0.0",
    "forms": [{"key": "deal", "name": "商机", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称", "required": True},
        {"key": "stage", "type": "select", "label": "阶段", "options": ["接洽", "报价", "赢单"]},
        {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南"]},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "rate", "type": "percent", "label": "赢率"}]}],
    "reports": [{"key": "all", "name": "全部图表", "widgets": [
        {"key": "stacked", "type": "stacked_bar", "form": "deal", "dimensions": [{"field": "stage"}, {"field": "region"}],
         "measures": [{"agg": "sum", "field": "amount"}]},
        {"key": "sideways", "type": "horizontal_bar", "form": "deal", "dimensions": [{"field": "region"}],
         "measures": [{"agg": "sum", "field": "amount"}, {"agg": "count"}]},
        {"key": "filled", "type": "area", "form": "deal", "dimensions": [{"field": "created_at", "bucket": "day"}],
         "measures": [{"agg": "sum", "field": "amount"}]},
        {"key": "ring", "type": "donut", "form": "deal", "dimensions": [{"field": "region"}],
         "measures": [{"agg": "sum", "field": "amount"}]},
        {"key": "slices", "type": "pie", "form": "deal", "dimensions": [{"field": "stage"}], "measures": [{"agg": "count"}]},
        {"key": "stages", "type": "funnel", "form": "deal", "dimensions": [{"field": "stage"}], "measures": [{"agg": "count"}]},
        {"key": "dots", "type": "scatter", "form": "deal", "dimensions": [{"field": "name"}],
         "measures": [{"agg": "sum", "field": "amount"}, {"agg": "avg", "field": "rate"}]},
        {"key": "dial", "type": "gauge", "form": "deal", "measures": [{"agg": "avg", "field": "rate"}], "target": "1"},
        {"key": "card", "type": "kpi", "form": "deal", "measures": [{"agg": "sum", "field": "amount"}], "target": "50000"},
        {"key": "grid", "type": "pivot", "form": "deal", "dimensions": [{"field": "region"}, {"field": "stage"}],
         "measures": [{"agg": "count"}]},
        {"key": "rows", "type": "table", "form": "deal", "dimensions": [{"field": "region"}, {"field": "stage"}],
         "measures": [{"agg": "sum", "field": "amount"}]}]}],
}


def test_every_chart_type_draws_with_its_numbers_formatted(page: Any, site: Site, errors: list[str]) -> None:
    assert site.api.post("/apps", json=GALLERY).status_code == 201
    for name, stage, region, amount, rate in [("甲", "接洽", "华东", "12000", "0.2"), ("乙", "赢单", "华东", "30500.5", "1"),
                                              ("丙", "报价", "华南", "8000", "0.5")]:
        site.record("gallery", "deal", {"name": name, "stage": stage, "region": region, "amount": amount, "rate": rate})
    page.goto(site.url + "/apps/gallery/dashboards/all")
    drawn = sum(w["type"] not in ("kpi", "pivot", "table") for w in GALLERY["reports"][0]["widgets"])  # type: ignore[index]
    wait_until(page, """n => document.getElementById('widgets').getAttribute('aria-busy') === 'false'
        && document.querySelectorAll('#widgets .chart[data-drawn]').length === n""", arg=drawn)

    def option(key: str) -> Any:
        return page.evaluate("""key => { const o = echarts.getInstanceByDom(
            document.querySelector(`.widget[data-key="${key}"] .chart`)).getOption();
            return {series: o.series.map(s => ({type: s.type, stack: s.stack || null, radius: s.radius || null})),
                    title: (o.title || []).map(t => t.text), y: (o.yAxis || []).map(a => a.type)}; }""", key)

    assert {s["stack"] for s in option("stacked")["series"]} == {"axis0"}  # stacked, both regions on one axis
    assert option("sideways")["y"] == ["category"]  # the names down the left
    assert option("ring")["series"][0]["radius"] == ["45%", "70%"] and option("ring")["title"] == ["¥5.05万"]
    assert page.locator(".widget[data-key='card'] .kpi-value").inner_text() == "¥5.05万"
    dots = page.evaluate("""() => { const o = echarts.getInstanceByDom(document.querySelector('.widget[data-key="dots"] .chart'))
        .getOption(); return [o.xAxis[0], o.yAxis[0]].map(a => [0, 30500.5, 0.5].map(v => a.axisLabel.formatter(v))); }""")
    assert dots == [["0", "¥3.05万", "¥0.50"], ["0", "3,050,050.0%", "50.0%"]]  # 0 at the origin, as on every chart
    assert page.locator(".widget[data-key='dial'] dd[data-fact='completion']").inner_text() == "56.7%"
    assert page.locator(".widget[data-key='rows'] td").all_inner_texts()[:3] == ["华东", "接洽", "¥12,000.00"]
    shown = page.locator("#widgets").evaluate("n => [...n.querySelectorAll('td, dd')].map(c => c.textContent.trim())")
    assert not [text for text in shown if RAW.fullmatch(text.replace(",", ""))]


def test_the_dashboard_formats_numbers_exactly_as_the_api_does(page: Any, site: Site, errors: list[str]) -> None:
    """widgets.js (tooltips, axes) and engine/reports/formats.py (the API's `formatted`) are two
    implementations of one set of rules: they agree on every unit, sign, rounding edge and abbreviation."""
    rng = random.Random(25)
    values = [0, 1, -1, Decimal("0.5705"), Decimal("-0.001"), Decimal("1234.505"), Decimal("-1234.5"), Decimal("9999.995"),
              Decimal("56780"), Decimal("125000000"), Decimal("-35000"), Decimal("0.0004")]
    values += [Decimal(rng.randrange(-10**9, 10**9)) / 10 ** rng.randrange(0, 5) for _ in range(120)]
    columns = [{"format": f, "role": "measure"} | extra for f in ("money", "percent", "count", "days", "number")
               for extra in ({}, {"decimals": 0}, {"decimals": 3}, {"signed": True})]
    cases = [(float(v), c) for v in values for c in columns]
    page.goto(site.url + "/dashboards")
    page.add_script_tag(url="/static/js/widgets.js")
    shown = page.evaluate("""cases => cases.map(([v, c]) => [
        tangramWidgets.text(v, c, {words: {}, lang: "zh"}), tangramWidgets.short(v, c, "zh")])""", cases)
    expected = [[format_value(Decimal(repr(v)), c["format"], c.get("decimals"), bool(c.get("signed"))),
                 format_short(Decimal(repr(v)), c["format"], c.get("decimals"), bool(c.get("signed")))] for v, c in cases]
    wrong = [(v, c, s, e) for (v, c), s, e in zip(cases, shown, expected, strict=True) if s != e]
    assert wrong == [], wrong[:10]
