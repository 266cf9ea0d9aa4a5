"""Dashboards in a real browser: widgets drawn with ECharts from the reports API, filters that redraw
them and live in the URL, drill-down from a bar to exactly its records, KPIs with target and
comparisons, export links with the filters, and a refused filter explained instead of a broken page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.wait import wait_until

ZONE = ZoneInfo("Asia/Shanghai")  # the site's TANGRAM_TIMEZONE (the default)
PAGE = "/apps/sales/dashboards/board"
SALES = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [{"key": "deal", "name": "订单", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "订单名称", "required": True},
        {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南", "华北"]},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "signed_on", "type": "date", "label": "签约日期"},
        {"key": "score", "type": "number", "label": "评分"}]}],
    "reports": [{"key": "board", "name": "销售看板", "filters": [{"field": "region"}, {"field": "signed_on"},
                                                             {"field": "score"}], "widgets": [
        {"key": "by_region", "type": "bar", "form": "deal", "name": "按地区",
         "dimensions": [{"field": "region"}], "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]},
        {"key": "grid", "type": "pivot", "form": "deal", "name": "地区 × 年",
         "dimensions": [{"field": "region"}, {"field": "signed_on", "bucket": "year"}], "measures": [{"agg": "count"}]},
        {"key": "this_month", "type": "kpi", "form": "deal", "name": "本月签约",
         "measures": [{"agg": "sum", "field": "amount"}], "period": {"field": "signed_on", "bucket": "month"},
         "target": "1000"}]}],
}


@dataclass
class Deals:
    """The sales app's records: ids by name, and the first days of the months they were signed in."""

    ids: dict[str, int]
    previous_month: date


@pytest.fixture(scope="module")
def deals(site: Site) -> Deals:
    r = site.api.post("/apps", json=SALES)
    assert r.status_code == 201, r.text
    month = datetime.now(ZONE).date().replace(day=1)  # the KPI's current period, in the app's time zone
    previous = (month - timedelta(days=1)).replace(day=1)
    rows = [("甲单", "华东", "100", month), ("乙单", "华东", "200", month), ("丙单", "华南", "150", previous),
            ("丁单", "华北", "600", month.replace(year=month.year - 1)),
            ("戊单", "华东", "50", month.replace(year=month.year - 2))]
    ids = {name: site.record("sales", "deal", {"name": name, "region": region, "amount": amount,
                                               "signed_on": day.isoformat(), "score": 3})["id"]
           for name, region, amount, day in rows}
    return Deals(ids, previous)


@pytest.fixture
def errors(page: Any) -> Iterator[list[str]]:
    """Script errors of the page: every test ends without one."""
    seen: list[str] = []
    page.on("pageerror", lambda e: seen.append(str(e)))
    yield seen
    assert seen == []


def _drawn(page: Any, **filters: str) -> None:
    """Wait until the widgets are drawn with exactly these filters."""
    wait_until(page, """want => {
        const q = document.getElementById('widgets').dataset.query;
        if (q === undefined || document.getElementById('widgets').getAttribute('aria-busy') !== 'false') return false;
        return JSON.stringify(Object.fromEntries(new URLSearchParams(q))) === JSON.stringify(want);
    }""", arg=filters)


def _rows(page: Any, widget: str) -> list[list[str]]:
    """The widget's numbers as the page shows them in its data table."""
    cells = page.locator(f".widget[data-key='{widget}'] table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    return cells  # type: ignore[no-any-return]


def _series(page: Any, widget: str) -> list[list[Any]]:
    """The values the ECharts chart itself draws, per series."""
    return page.evaluate("""key => echarts.getInstanceByDom(document.querySelector(`.widget[data-key="${key}"] .chart`))
        .getOption().series.map(s => s.data.map(d => d && d.value))""", widget)  # type: ignore[no-any-return]


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_a_crm_dashboard_draws_its_widgets(page: Any, site: Site, errors: list[str]) -> None:
    customer = site.record("crm", "customer", {"name": "杭州云帆科技有限公司"})
    site.record("crm", "opportunity", {"name": "年度框架", "customer": customer["id"], "stage": "初步接洽",
                                       "amount": "300000"})
    page.goto(site.url + "/dashboards")
    links = page.locator("main a[href^='/apps/crm/dashboards/']")
    assert links.count() >= 5
    report = site.api.get("/apps/crm").json()["definition"]["reports"][0]
    page.goto(f"{site.url}/apps/crm/dashboards/{report['key']}")
    _drawn(page)
    assert page.locator(".widget").count() == len(report["widgets"])
    drawn = sum(w["type"] not in ("kpi", "table", "pivot") for w in report["widgets"])  # charts, gauges, funnels
    assert page.locator(".widget canvas").count() == drawn


def test_crm_rates_show_as_percentages_and_amounts_in_yuan_as_the_api_formats_them(page: Any, site: Site,
                                                                                   errors: list[str]) -> None:
    customer = site.record("crm", "customer", {"name": "宁波博远新材料有限公司"})
    for stage in ("赢单", "赢单", "输单"):
        site.record("crm", "opportunity", {"name": f"{stage}项目", "customer": customer["id"], "stage": stage,
                                           "amount": "1234567.5"})
    api = {w["key"]: w for w in site.api.get("/apps/crm/reports/sales_cockpit").json()["widgets"]}
    rate = api["win_rate"]["formatted"][0][0]
    assert re.fullmatch(r"\d{1,3}\.\d%", rate)
    page.goto(site.url + "/apps/crm/dashboards/sales_cockpit")
    _drawn(page)
    kpi = page.locator(".widget[data-key='win_rate'] .kpi")
    assert kpi.locator(".kpi-value").inner_text() == rate  # 0.667 is shown as 66.7%, as the API says
    facts = dict(zip(kpi.locator("dt").all_inner_texts(), kpi.locator("dd").all_inner_texts(), strict=True))
    assert facts["目标"] == "35.0%"
    shown = _rows(page, "pipeline_by_stage")
    expected = [[None, None, *(c or "—" for c in cells[2:])] for cells in api["pipeline_by_stage"]["formatted"]]
    assert [[None, None, *row[2:]] for row in shown] == expected  # 预计金额 and 加权金额 as ¥1,234,567.50
    assert any(cell and cell.startswith("¥") for row in expected for cell in row)


def test_a_filter_redraws_the_widgets_and_stays_in_the_url_through_a_reload(page: Any, site: Site, deals: Deals,
                                                                           errors: list[str]) -> None:
    page.goto(site.url + PAGE)
    _drawn(page)
    assert _rows(page, "by_region") == [["华东", "3", "¥350.00"], ["华南", "1", "¥150.00"], ["华北", "1", "¥600.00"]]
    page.get_by_label("地区", exact=True).select_option("华东")
    _drawn(page, region="华东")
    assert _rows(page, "by_region") == [["华东", "3", "¥350.00"]]
    assert _series(page, "by_region") == [[3], [350]]
    assert _query(page) == {"region": ["华东"]}
    page.reload()
    _drawn(page, region="华东")
    assert page.get_by_label("地区", exact=True).input_value() == "华东"
    assert _rows(page, "by_region") == [["华东", "3", "¥350.00"]]
    page.get_by_label("签约日期 从").fill(deals.previous_month.isoformat())
    since = f"{deals.previous_month.isoformat()}.."
    _drawn(page, region="华东", signed_on=since)
    assert _rows(page, "by_region") == [["华东", "2", "¥300.00"]]  # 戊单 was signed two years ago
    assert _query(page) == {"region": ["华东"], "signed_on": [since]}
    page.get_by_role("button", name="清除").click()
    _drawn(page)
    assert len(_rows(page, "by_region")) == 3 and _query(page) == {}


def test_clicking_a_bar_lists_exactly_the_records_behind_it(page: Any, site: Site, deals: Deals,
                                                            errors: list[str]) -> None:
    since = f"{deals.previous_month.isoformat()}.."
    page.goto(f"{site.url}{PAGE}?signed_on={since}")  # a shared link: the filter applies from the start
    _drawn(page, signed_on=since)
    assert page.get_by_label("签约日期 从").input_value() == deals.previous_month.isoformat()
    chart = page.locator(".widget[data-key='by_region'] .chart[data-drawn]")  # bars grown to their height
    box = chart.bounding_box()
    bar = chart.evaluate("""el => {  // where ECharts laid out the 华东 bar of 金额 (series 1, row 0)
        const rect = echarts.getInstanceByDom(el).getModel().getSeriesByIndex(1).getData().getItemLayout(0);
        return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2};
    }""")
    page.mouse.click(box["x"] + bar["x"], box["y"] + bar["y"])
    dialog = page.locator("dialog#drill")
    dialog.wait_for(state="visible")
    assert "华东" in page.locator("#drill-title").inner_text()
    wait_until(page, "document.getElementById('drill-count').textContent !== ''")
    links = page.locator("#drill-table tbody a")
    shown = dict(zip(links.all_inner_texts(), links.evaluate_all("as => as.map(a => a.getAttribute('href'))"),
                     strict=True))
    assert shown == {name: f"/apps/sales/forms/deal/records/{deals.ids[name]}" for name in ("甲单", "乙单")}
    assert page.locator("#drill-list").get_attribute("href") == "/apps/sales/forms/deal"
    links.filter(has_text="乙单").click()
    page.wait_for_url(f"{site.url}/apps/sales/forms/deal/records/{deals.ids['乙单']}")


def test_a_table_row_drills_down_with_the_keyboard(page: Any, site: Site, deals: Deals, errors: list[str]) -> None:
    page.goto(f"{site.url}{PAGE}?region=华南")
    _drawn(page, region="华南")
    page.locator(".widget[data-key='by_region'] summary").click()  # the chart's numbers as a table
    page.locator(".widget[data-key='by_region'] tr.drillable").first.press("Enter")
    wait_until(page, "document.getElementById('drill-count').textContent !== ''")
    assert page.locator("#drill-table tbody a").all_inner_texts() == ["丙单"]


def test_a_kpi_shows_its_value_target_completion_and_the_periods_before(page: Any, site: Site, deals: Deals,
                                                                        errors: list[str]) -> None:
    page.goto(site.url + PAGE)
    _drawn(page)
    kpi = page.locator(".widget[data-key='this_month'] .kpi")
    assert kpi.locator(".kpi-value").inner_text() == "¥300.00"  # 甲单 + 乙单, this month: a money field's sum
    facts = dict(zip(kpi.locator("dt").all_inner_texts(), kpi.locator("dd").all_inner_texts(), strict=True))
    assert facts["目标"] == "¥1,000.00" and facts["完成率"] == "30.0%"
    assert facts["上期"] == "¥150.00" and facts["环比"] == "▲ +100.0%"  # a rise: up arrow, in green
    assert facts["去年同期"] == "¥600.00" and facts["同比"] == "▼ -50.0%"
    assert kpi.locator("dd[data-fact='previous_growth']").get_attribute("data-trend") == "up"
    assert kpi.locator("dd[data-fact='last_year_growth']").get_attribute("data-trend") == "down"


def test_export_links_carry_the_current_filters(page: Any, site: Site, deals: Deals, errors: list[str]) -> None:
    page.goto(f"{site.url}{PAGE}?region=华南")
    _drawn(page, region="华南")
    link = page.locator(".widget[data-key='by_region'] .exports a[data-format='csv']")
    response = page.request.get(site.url + link.get_attribute("href"))
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(response.body().decode("utf-8-sig"))))
    assert rows[1:] == [["华南", "1", "150"]]
    xlsx = page.locator(".widget[data-key='by_region'] .exports a[data-format='xlsx']").get_attribute("href")
    assert parse_qs(urlparse(xlsx).query) == {"format": ["xlsx"], "region": ["华南"]}


def test_a_refused_filter_shows_the_apis_message_and_the_page_recovers(page: Any, site: Site, deals: Deals,
                                                                        errors: list[str]) -> None:
    page.goto(f"{site.url}{PAGE}?score=abc")
    _drawn(page, score="abc")
    expected = site.api.get("/apps/sales/reports/board", params={"score": "abc"})
    assert expected.status_code == 400
    assert page.locator("#board-error").inner_text() == expected.json()["error"]["message"]
    assert page.get_by_label("评分").get_attribute("aria-invalid") == "true"
    assert page.locator(".widget").count() == 0
    page.get_by_label("评分").fill("3")
    page.get_by_label("评分").press("Enter")
    _drawn(page, score="3")
    assert page.locator("#board-error").inner_text() == ""
    assert _rows(page, "by_region")[0] == ["华东", "3", "¥350.00"]


@pytest.mark.parametrize(("lang", "words"), [("zh", "数据截至"), ("en", "Data as of")], ids=["zh", "en"])
def test_data_as_of_is_shown_in_the_apps_time_zone(browser: Any, site: Site, deals: Deals, lang: str,
                                                    words: str) -> None:
    page = log_in(browser, site, timezone_id="America/New_York")  # not the app's zone: the app's wins
    try:
        page.goto(f"{site.url}{PAGE}?lang={lang}")
        _drawn(page)
        time = page.locator("#as-of time")
        moment = datetime.fromisoformat(time.get_attribute("datetime").replace("Z", "+00:00"))
        assert time.inner_text() == f"{words} {moment.astimezone(ZONE):%Y-%m-%d %H:%M}"
    finally:
        page.context.close()


def test_a_pivot_is_a_cross_tab_with_totals_and_its_cells_drill_down(page: Any, site: Site, deals: Deals,
                                                                     errors: list[str]) -> None:
    page.goto(site.url + PAGE)
    _drawn(page)
    pivot = page.locator(".widget[data-key='grid'] table.pivot")
    this_year = str(datetime.now(ZONE).year)
    years = sorted({this_year, str(int(this_year) - 1), str(int(this_year) - 2), deals.previous_month.strftime("%Y")})
    header = [h.strip() for h in pivot.locator("thead th").all_inner_texts()]
    assert header[0] == "地区 \\ 签约日期（年）" and sorted(header[1:-1]) == years and header[-1] == "合计"
    rows = pivot.locator("tbody tr").evaluate_all("trs => trs.map(tr => [...tr.children].map(c => c.textContent))")
    east = next(r for r in rows if r[0] == "华东")
    assert east[header.index(this_year)] == "2" and east[-1] == "3"  # 甲单 and 乙单 this year; 戊单 two years ago
    assert pivot.locator("tfoot tr").evaluate("tr => tr.lastElementChild.textContent") == "5"
    cell = pivot.locator("tbody tr").filter(has=page.locator("th", has_text="华东")).locator("td").nth(
        header.index(this_year) - 1)
    cell.click()
    wait_until(page, "document.getElementById('drill-count').textContent !== ''")
    assert sorted(page.locator("#drill-table tbody a").all_inner_texts()) == ["乙单", "甲单"]
