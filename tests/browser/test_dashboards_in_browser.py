"""Dashboards in a real browser: the CRM's 销售漏斗 draws its charts with ECharts from the reports API."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Site


def test_a_crm_dashboard_draws_its_widgets(page: Any, site: Site) -> None:
    customer = site.record("crm", "customer", {"name": "杭州云帆科技有限公司"})
    site.record("crm", "opportunity", {"name": "年度框架", "customer": customer["id"], "stage": "初步接洽",
                                       "amount": "300000"})
    page.goto(site.url + "/dashboards")
    links = page.locator("main a[href^='/apps/crm/dashboards/']")
    assert links.count() >= 5
    report = site.api.get("/apps/crm").json()["definition"]["reports"][0]
    page.goto(f"{site.url}/apps/crm/dashboards/{report['key']}")
    page.wait_for_selector(".widget")
    assert page.locator(".widget").count() == len(report["widgets"])
    page.wait_for_function("document.querySelectorAll('.widget canvas, .widget table, .widget .kpi').length > 0")
