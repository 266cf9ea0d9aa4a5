"""The builders preview the draft, in a real browser, in Chinese: a field added in the form builder and not
yet published is listed by the chart builder and previewed there, and the dashboard editor draws a widget
over it as a chart (not an error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.wait import wait_until

APP = {
    "format": "tangram/app@1",
    "key": "drafts",
    "name": "草稿预览",
    "version": "1.0.0",
    "forms": [
        {
            "key": "deal",
            "name": "订单",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "订单名称", "required": True},
                {"key": "amount", "type": "money", "label": "金额"},
            ],
        }
    ],
    "reports": [
        {
            "key": "board",
            "name": "订单看板",
            "widgets": [
                {
                    "key": "total",
                    "type": "kpi",
                    "form": "deal",
                    "name": "成交总额",
                    "measures": [{"agg": "sum", "field": "amount", "label": "成交额", "format": "money"}],
                }
            ],
        }
    ],
}
BY_CHANNEL = {
    "key": "by_channel",
    "type": "bar",
    "form": "deal",
    "name": "各渠道订单数",
    "dimensions": [{"field": "channel"}],
    "measures": [{"agg": "count", "label": "订单数"}],
}


@pytest.fixture(scope="module")
def drafted(site: Site) -> None:
    """Two orders, then a draft with 渠道 on the form and a widget over it on the dashboard (unpublished)."""
    assert site.api.post("/apps", json=APP).status_code == 201
    for name, amount in (("甲单", "100"), ("乙单", "250")):
        site.record("drafts", "deal", {"name": name, "amount": amount})
    field = {"key": "channel", "type": "select", "label": "渠道", "options": ["线上", "门店"]}
    assert site.api.post("/apps/drafts/forms/deal/fields", json=field).status_code == 201
    r = site.api.put("/apps/drafts/draft/reports/board/widgets/by_channel", json=BY_CHANNEL)
    assert r.status_code == 200, r.text


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site, viewport={"width": 1500, "height": 1000})
    yield page
    page.context.close()


def test_the_dashboard_editor_draws_a_widget_over_a_field_of_the_draft(page: Any, site: Site, drafted: None) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{site.url}/apps/drafts/builder/dashboards/board")
    wait_until(page, "() => document.querySelectorAll('#grid .body[data-drawn]').length === 2")
    widget = page.locator("#grid .widget[data-key='by_channel']")
    assert widget.locator(".chart canvas").count() == 1
    assert widget.locator(".body > p.muted").count() == 0  # no error in place of the chart
    assert errors == []


def test_the_chart_builder_lists_and_previews_a_field_of_the_draft(page: Any, site: Site, drafted: None) -> None:
    page.goto(f"{site.url}/apps/drafts/builder/charts/board/by_channel")
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="channel"]') !== null""")
    assert page.locator('#cb-fields li.cb-field[data-key="channel"] .cb-field-label').inner_text() == "渠道"
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    rows = page.eval_on_selector_all(
        "#cb-preview details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert [row[-1] for row in rows] == ["2"]  # both orders, no 渠道 yet


def test_the_app_page_lists_the_draft_and_discards_it(page: Any, site: Site, drafted: None) -> None:
    """Last in this file: it drops the draft the tests above preview."""
    page.goto(f"{site.url}/apps/drafts")
    card = page.locator("#draft-pending")
    assert "有未发布的修改" in card.inner_text()
    assert card.locator('a[href="/apps/drafts/builder/forms/deal"] code', has_text="forms[deal].fields[channel]").count() == 1
    assert card.locator('a[href="/apps/drafts/builder/dashboards/board"]').count() >= 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="放弃修改").click()
    wait_until(page, "document.readyState === 'complete' && document.getElementById('draft-pending') === null")
    assert site.api.get("/apps/drafts/draft/changes").json()["pending"] is False
    fields = [f["key"] for f in site.api.get("/apps/drafts/draft").json()["forms"][0]["fields"]]
    assert fields == ["name", "amount"]
