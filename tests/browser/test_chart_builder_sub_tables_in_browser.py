"""The chart builder in a real browser, in Chinese, over a sub_table: the 报价单 form's 报价明细 columns are
listed under their own heading, and "小计合计 by 报价明细.产品" built by dragging previews the sums of the
quotes' rows, computed here over the same records (each row's qty × unit price, rows of one product added
up across quotes)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.browser.conftest import Site, log_in
from tests.browser.drag import drag
from tests.browser.wait import wait_until

LINES = [  # (quote, product, qty, unit price)
    (0, "子表螺丝", "2", "10.50"),
    (0, "子表螺母", "1", "3.25"),
    (1, "子表螺丝", "4", "10.00"),
    (2, "子表垫片", "3", "0.50"),
    (2, "子表螺丝", "1", "9.99"),
]


@pytest.fixture(scope="module")
def quoted(site: Site) -> dict[str, Decimal]:
    """Three quotes with rows of three products; returns the sum of the rows' subtotals per product."""
    customer = site.record("crm", "customer", {"name": "子表图表客户"})["id"]
    products = {name: site.record("crm", "product", {"sku": f"SKU-{i}", "name": name})["id"]
                for i, name in enumerate(sorted({p for _, p, _, _ in LINES}))}
    totals: dict[str, Decimal] = {}
    for quote in range(3):
        rows = [{"product": products[p], "item": p, "qty": q, "unit_price": u} for n, p, q, u in LINES if n == quote]
        site.record("crm", "quote", {"customer": customer, "lines": rows})
    for _, product, qty, price in LINES:
        totals[product] = totals.get(product, Decimal(0)) + Decimal(qty) * Decimal(price)
    return totals


@pytest.fixture
def page(browser: Any, site: Site) -> Iterator[Any]:
    page = log_in(browser, site, viewport={"width": 1500, "height": 1000})
    yield page
    page.context.close()


def _label(page: Any, key: str) -> Any:
    found = page.locator(f'#cb-fields li.cb-field[data-key="{key}"]')
    found.scroll_into_view_if_needed()
    return found.locator(".cb-field-label")


def test_a_bar_chart_of_a_sub_table_column_by_its_product(page: Any, site: Site, quoted: dict[str, Decimal]) -> None:
    page.goto(f"{site.url}/apps/crm")
    page.locator("#new-chart-link").click()
    wait_until(page, "document.body.dataset.chartBuilder === 'ready'")
    page.get_by_label("数据来源（表单）").select_option(label="报价单")
    wait_until(page, """document.querySelector('#cb-fields li.cb-field[data-key="lines.subtotal"]') !== null""")
    headings = page.eval_on_selector_all("#cb-fields h3.cb-group", "hs => hs.map(h => h.textContent)")
    assert "报价明细" in headings
    page.locator('#cb-types button[data-type="bar"]').click()
    drag(page, _label(page, "lines.product"), page.locator("#cb-dimensions"))
    drag(page, _label(page, "lines.subtotal"), page.locator("#cb-measures"))
    assert page.locator("#cb-dimensions .cb-chip").inner_text().startswith("报价明细.产品")
    wait_until(page, "document.getElementById('cb-preview').dataset.state === 'ok'")
    rows = page.eval_on_selector_all(
        "#cb-preview details.data table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    shown = {r[0]: Decimal(r[1].replace(",", "").replace("¥", "")) for r in rows}
    assert shown == quoted
