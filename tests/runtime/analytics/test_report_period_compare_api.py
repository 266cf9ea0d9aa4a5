"""A bar, line or table with a statistical period (统计周期): its figures are the current period's, each measure
compared with the previous period (上期, 环比) and the same period last year (去年同期, 同比) as `compare` asks, on
both engines; drill-down lists only the current period's records of a bar; bad definitions are a 422 by path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop

QUARTER = {"field": "since", "bucket": "quarter"}
BY_REGION: dict[str, Any] = {"key": "by_region", "type": "bar", "form": "customer", "name": "各区域本季度成交额",
                             "dimensions": [{"field": "region"}], "measures": [{"agg": "sum", "field": "amount"}],
                             "period": QUARTER, "compare": ["previous", "last_year"]}
TOP_ONE = {**BY_REGION, "key": "top_one", "sort": "region", "limit": 1}
ROWS = [  # today is 2026-11-24: this quarter is 2026 Q4, the previous 2026 Q3, last year's 2025 Q4
    {"name": "甲公司", "region": "华东", "amount": "100", "since": "2026-11-03"},
    {"name": "乙公司", "region": "华东", "amount": "200", "since": "2026-10-01"},
    {"name": "丙公司", "region": "华东", "amount": "50", "since": "2026-09-30"},
    {"name": "丁公司", "region": "华南", "amount": "300", "since": "2026-12-31"},
    {"name": "戊公司", "region": "华南", "amount": "100", "since": "2025-12-01"},
    {"name": "己公司", "region": "华北", "amount": "150", "since": "2026-07-01"},
    {"name": "庚公司", "region": "华东", "amount": "999"},  # no date: in no period
]


@pytest.fixture
def board(make: Maker, app: Any) -> Maker:
    app.state.clock = lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    make.app_def(shop(reports=[{"key": "board", "name": "看板", "widgets": [BY_REGION, TOP_ONE]}]))
    for row in ROWS:
        make.record("customer", row)
    return make


def _query(client: TestClient, make: Maker, body: dict[str, Any], engine: str) -> dict[str, Any]:
    r = client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)
    assert r.status_code == 200, r.text
    widget: dict[str, Any] = r.json()["widgets"][0]
    assert widget["engine"] == engine
    return widget


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_bar_shows_this_quarter_with_the_previous_one_and_last_year(client: TestClient, board: Maker,
                                                                     engine: str) -> None:
    w = _query(client, board, BY_REGION, engine)
    assert [c["key"] for c in w["columns"]] == ["region", "sum_amount", "sum_amount_previous",
                                                "sum_amount_previous_growth", "sum_amount_last_year",
                                                "sum_amount_last_year_growth"]
    assert w["rows"] == [["华东", 300, 50, 5, None, None],
                         ["华南", 300, None, None, 100, 2],
                         ["华北", 0, 150, -1, None, None]]  # sold last quarter only: 0 and its fall
    assert w["totals"] == [600, 200, 2, 100, 5]
    assert w["period"] == {"start": "2026-10-01", "end": "2027-01-01"}
    assert w["compared"] == {"previous": {"start": "2026-07-01", "end": "2026-10-01"},
                             "last_year": {"start": "2025-10-01", "end": "2026-01-01"}}
    money, growth = w["columns"][2], w["columns"][3]
    label = w["columns"][1]["label"]
    assert (money["label"], money["format"], money["axis"]) == (f"{label}（上期）", "money", 0)
    assert (growth["label"], growth["format"], growth["signed"], growth["axis"]) == (
        f"{label}环比", "percent", True, 1)  # growth on its own percent axis, never the money one
    assert w["formatted"][0][3] == "+500.0%" and w["formatted"][2][3] == "-100.0%"


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_the_others_row_and_a_table_subtotal_are_compared_too(client: TestClient, board: Maker, engine: str) -> None:
    w = _query(client, board, TOP_ONE, engine)
    assert w["rows"] == [["华东", 300, 50, 5, None, None], ["其他", 300, 150, 1, 100, 2]]
    table = {**BY_REGION, "type": "table", "dimensions": [{"field": "region"}, {"field": "level"}],
             "compare": ["last_year"]}
    w = _query(client, board, table, engine)
    assert [c["key"] for c in w["columns"]][-2:] == ["sum_amount_last_year", "sum_amount_last_year_growth"]
    assert w["subtotals"] == [["华东", 300, None, None], ["华南", 300, 100, 2]]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_line_with_a_period_keeps_only_the_current_period(client: TestClient, board: Maker, engine: str) -> None:
    body = {"type": "line", "form": "customer", "dimensions": [{"field": "since", "bucket": "month"}],
            "measures": [{"agg": "sum", "field": "amount"}], "period": QUARTER}
    assert _query(client, board, body, engine)["rows"] == [["2026-10", 200], ["2026-11", 100], ["2026-12", 300]]


def _drilled(client: TestClient, make: Maker, widget: str, point: str) -> list[str]:
    r = client.get(f"/api/v1/apps/shop/reports/board/widgets/{widget}/drill", params={"point": point},
                   headers=make.admin)
    assert r.status_code == 200, r.text
    return sorted(i["data"]["name"] for i in r.json()["items"])


def test_drilling_into_a_bar_lists_only_the_current_periods_records(client: TestClient, board: Maker) -> None:
    assert _drilled(client, board, "by_region", '["华东"]') == ["乙公司", "甲公司"]  # not 丙 (Q3) nor 庚 (no date)
    assert _drilled(client, board, "by_region", '["华北"]') == []
    assert _drilled(client, board, "top_one", "others") == ["丁公司"]


@pytest.mark.parametrize(("change", "path", "code"), [
    ({"period": {"field": "region", "bucket": "quarter"}}, "widget.period.field", "not_a_date"),
    ({"period": None}, "widget.compare", "no_period"),
    ({"type": "pie"}, "widget.compare", "no_compare"),
    ({"type": "funnel", "compare": []}, "widget.period", "no_period"),
    ({"dimensions": [{"field": "since", "bucket": "month"}]}, "widget.dimensions[0].bucket", "compared_date"),
    ({"compare": ["previous", "previous"]}, "widget.compare", "repeated"),
], ids=["not-a-date", "compare-without-period", "pie", "funnel", "bucketed-date", "repeated"])
def test_a_period_or_compare_the_widget_cannot_take_is_a_422_naming_it(client: TestClient, board: Maker,
                                                                        change: dict[str, Any], path: str,
                                                                        code: str) -> None:
    r = client.post("/api/v1/apps/shop/query", json={**BY_REGION, **change}, headers=board.admin)
    assert r.status_code == 422, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [(path, code)]


def test_an_unknown_comparison_is_a_422(client: TestClient, board: Maker) -> None:
    r = client.post("/api/v1/apps/shop/query", json={**BY_REGION, "compare": ["yesterday"]}, headers=board.admin)
    assert r.status_code == 422, r.text


def test_an_app_whose_chart_compares_without_a_period_is_refused_at_that_widget(client: TestClient, make: Maker) -> None:
    widget = {**BY_REGION, "period": None}
    r = client.post("/api/v1/apps", json=shop(reports=[{"key": "r", "name": "看板", "widgets": [widget]}]),
                    headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["reports[0].widgets[0].compare"]
    assert client.get("/api/v1/apps/shop", headers=make.admin).status_code == 404  # nothing written
