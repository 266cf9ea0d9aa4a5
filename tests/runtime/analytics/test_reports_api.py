"""Reports over HTTP: the one tabular shape, dashboard filters as query parameters, top-N with others,
funnels, KPIs against the injected clock, drill-down to records, export, and clear 4xx errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.factories import Maker, shop

WIDGETS = [
    {"key": "by_region", "type": "bar", "form": "customer", "name": "按地区",
     "dimensions": [{"field": "region"}],
     "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}, {"agg": "avg", "field": "amount"},
                  {"key": "share_a", "expr": 'COUNTIF(level = "A") / COUNT()', "label": "A 类占比"}]},
    {"key": "top_names", "type": "bar", "form": "customer", "dimensions": [{"field": "name"}],
     "measures": [{"agg": "sum", "field": "amount"}], "sort": "-sum_amount", "limit": 2},
    {"key": "levels", "type": "funnel", "form": "customer", "dimensions": [{"field": "level"}],
     "measures": [{"agg": "count"}]},
    {"key": "monthly", "type": "line", "form": "customer", "dimensions": [{"field": "since", "bucket": "month"}],
     "measures": [{"agg": "sum", "field": "amount"}]},
    {"key": "this_month", "type": "kpi", "form": "customer", "measures": [{"agg": "sum", "field": "amount"}],
     "period": {"field": "since", "bucket": "month"}, "target": "1000"},
    {"key": "grid", "type": "pivot", "form": "customer", "dimensions": [{"field": "region"}, {"field": "level"}],
     "measures": [{"agg": "count"}, {"agg": "count_distinct", "field": "level"}]},
]
ROWS = [
    {"name": "甲公司", "region": "华东", "level": "A", "amount": "100.10", "since": "2026-11-03"},
    {"name": "乙公司", "region": "华东", "level": "B", "amount": "200.20", "since": "2026-10-31"},
    {"name": "丙公司", "region": "华南", "level": "A", "amount": "300.30", "since": "2026-11-30"},
    {"name": "丁公司", "region": "华北", "level": "C", "since": "2025-11-15"},
    {"name": "戊公司", "level": "C", "amount": "50.00"},
]


@pytest.fixture
def board(make: Maker, app: Any) -> Maker:
    app.state.clock = lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    make.app_def(shop(reports=[{"key": "board", "name": "看板", "filters": [{"field": "region"}, {"field": "since"}],
                                "widgets": WIDGETS}]))
    for row in ROWS:
        make.record("customer", row)
    return make


def _widgets(client: TestClient, make: Maker, query: str = "") -> dict[str, Any]:
    r = client.get(f"/api/v1/apps/shop/reports/board{query}", headers=make.admin)
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in r.json()["widgets"]}


def test_a_dashboard_returns_every_widget_in_one_tabular_shape(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board)["by_region"]
    assert [c["key"] for c in w["columns"]] == ["region", "count", "sum_amount", "avg_amount", "share_a"]
    assert [c["role"] for c in w["columns"]] == ["dimension"] + ["measure"] * 4
    assert w["rows"] == [["华东", 2, 300.3, 150.15, 0.5], ["华南", 1, 300.3, 300.3, 1],
                         ["华北", 1, None, None, 0], [None, 1, 50, 50, 0]]
    assert w["totals"] == [5, 650.6, 162.65, 0.4]
    assert w["keys"] == [["华东"], ["华南"], ["华北"], [None]]
    assert w["engine"] == "primary" and w["as_of"] == "2026-11-24T02:00:00Z"


def test_top_n_keeps_the_largest_groups_and_sums_the_rest_into_others(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board)["top_names"]
    assert w["rows"] == [["丙公司", 300.3], ["乙公司", 200.2], ["其他", 150.1]]
    assert w["keys"][-1] is None


def test_a_funnel_lists_every_stage_in_option_order_with_conversion(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board)["levels"]
    assert w["rows"] == [["A", 2, None], ["B", 1, 0.5], ["C", 2, 2]]
    assert w["columns"][-1]["key"] == "conversion"


def test_dates_are_bucketed_by_month_in_order_with_the_empty_months_between_as_zero(client: TestClient,
                                                                                   board: Maker) -> None:
    empty = [[f"{2025 + (11 + k) // 12}-{(11 + k) % 12 + 1:02d}", 0] for k in range(10)]  # 2025-12 … 2026-09
    monthly = _widgets(client, board)["monthly"]
    assert monthly["rows"] == [["2025-11", None], *empty, ["2026-10", 200.2], ["2026-11", 400.4], [None, 50]]
    assert monthly["period"] == {"start": "2025-11-01", "end": "2026-12-01"}  # 统计期: the months shown


def test_a_kpi_compares_the_current_period_with_the_previous_and_last_year(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board)["this_month"]
    assert [c["key"] for c in w["columns"]] == ["sum_amount", "target", "completion", "previous", "previous_growth",
                                                "last_year", "last_year_growth"]
    assert w["rows"] == [[400.4, 1000, 0.4004, 200.2, 1, None, None]]


def test_a_pivot_has_row_and_column_totals_even_for_distinct_counts(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board)["grid"]
    assert w["row_totals"] == [["华东", 2, 2], ["华南", 1, 1], ["华北", 1, 1], [None, 1, 1]]
    assert w["column_totals"] == [["A", 2, 1], ["B", 1, 1], ["C", 2, 1]]
    assert w["totals"] == [5, 3]


def test_dashboard_filters_arrive_as_query_parameters_named_by_field(client: TestClient, board: Maker) -> None:
    w = _widgets(client, board, "?region=华东,华南&since=2026-11-01..2026-11-30")["by_region"]
    assert w["rows"] == [["华东", 1, 100.1, 100.1, 1], ["华南", 1, 300.3, 300.3, 1]]


@pytest.mark.parametrize(("since", "names"), [
    ("2026-11-01..", ["华东", "华南"]),  # from a day on: 甲 (11-03) and 丙 (11-30)
    ("..2026-10-31", ["华东", "华北"]),  # up to a day: 乙 (10-31) and 丁 (2025-11-15)
    ("2026-11-03", ["华东"]),  # a bare day is that one day
], ids=["open-end", "open-start", "one-day"])
def test_a_date_filter_may_leave_either_side_of_the_range_open(client: TestClient, board: Maker, since: str,
                                                               names: list[str]) -> None:
    w = _widgets(client, board, f"?since={since}")["by_region"]
    assert [r[0] for r in w["rows"]] == names and [r[1] for r in w["rows"]] == [1] * len(names)


@pytest.mark.parametrize(("query", "status", "field"), [
    ("?colour=red", 400, "colour"),  # not a filter of this report
    ("?region=西藏", 400, "region"),  # not an option
    ("?since=2026-13-01..", 400, "since"),
    ("?engine=spark", 400, "engine"),
])
def test_bad_report_parameters_get_a_clear_400(client: TestClient, board: Maker, query: str, status: int,
                                               field: str) -> None:
    r = client.get(f"/api/v1/apps/shop/reports/board{query}", headers=board.admin)
    assert r.status_code == status, r.text
    assert r.json()["error"]["field"] == field


def test_unknown_reports_and_widgets_are_404(client: TestClient, board: Maker) -> None:
    assert client.get("/api/v1/apps/shop/reports/nope", headers=board.admin).status_code == 404
    r = client.get("/api/v1/apps/shop/reports/board/widgets/nope/drill", headers=board.admin)
    assert r.status_code == 404


def test_reports_need_a_login(client: TestClient, board: Maker) -> None:
    assert client.get("/api/v1/apps/shop/reports/board").status_code == 401


def test_drill_lists_the_records_behind_a_point(client: TestClient, board: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/drill", params={"point": '["华东"]'},
                   headers=board.admin)
    assert r.status_code == 200, r.text
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["乙公司", "甲公司"]
    r = client.get("/api/v1/apps/shop/reports/board/widgets/monthly/drill", params={"point": '["2026-11-01"]'},
                   headers=board.admin)
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["丙公司", "甲公司"]
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/drill", params={"point": "[null]"},
                   headers=board.admin)
    assert [i["data"]["name"] for i in r.json()["items"]] == ["戊公司"]


def test_drill_into_others_lists_the_records_outside_the_top_n(client: TestClient, board: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/top_names/drill", params={"point": "others"},
                   headers=board.admin)
    assert r.status_code == 200, r.text
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["丁公司", "戊公司", "甲公司"]


def test_drill_keeps_the_dashboard_filters(client: TestClient, board: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/drill",
                   params={"point": '["华东"]', "since": "2026-11-01..2026-11-30"}, headers=board.admin)
    assert [i["data"]["name"] for i in r.json()["items"]] == ["甲公司"]


@pytest.mark.parametrize("point", ["华东", '{"a": 1}', '["华东", "A"]'])
def test_a_malformed_drill_point_is_a_400(client: TestClient, board: Maker, point: str) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/drill", params={"point": point},
                   headers=board.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "point"


def test_csv_export_has_a_bom_and_chinese_headers(client: TestClient, board: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/export?format=csv", headers=board.admin)
    assert r.status_code == 200
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["地区", "记录数", "成交金额合计", "成交金额平均", "A 类占比"]
    assert rows[1] == ["华东", "2", "300.3", "150.15", "0.5"]
    assert "attachment" in r.headers["content-disposition"]


def test_xlsx_export_opens_with_the_same_cells_as_numbers_in_their_units(client: TestClient, board: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/by_region/export?format=xlsx", headers=board.admin)
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[1]] == ["地区", "记录数", "成交金额合计", "成交金额平均", "A 类占比"]
    assert [c.value for c in sheet[2]] == ["华东", 2, 300.3, 150.15, 0.5]
    assert [c.number_format for c in sheet[2]][1:4] == ["#,##0", '"¥"#,##0.00;-"¥"#,##0.00', '"¥"#,##0.00;-"¥"#,##0.00']
    assert client.get("/api/v1/apps/shop/reports/board/widgets/by_region/export?format=pdf",
                      headers=board.admin).status_code == 400


def test_an_ad_hoc_query_previews_a_widget_in_the_same_shape(client: TestClient, board: Maker) -> None:
    body = {"type": "pie", "form": "customer", "dimensions": [{"field": "level"}], "measures": [{"agg": "count"}],
            "filter": "amount > 150", "filters": {"region": "华东"}}
    r = client.post("/api/v1/apps/shop/query", json=body, headers=board.admin)
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"] == [["B", 1]]


def test_text_groups_come_in_chinese_order_as_lists_sort_them(client: TestClient, board: Maker) -> None:
    body = {"type": "bar", "form": "customer", "dimensions": [{"field": "name"}], "measures": [{"agg": "count"}]}
    r = client.post("/api/v1/apps/shop/query", json=body, headers=board.admin)
    assert r.status_code == 200, r.text
    assert [row[0] for row in r.json()["widgets"][0]["rows"]] == ["丙公司", "丁公司", "甲公司", "戊公司", "乙公司"]


def test_a_broken_ad_hoc_widget_is_a_422_listing_every_problem(client: TestClient, board: Maker) -> None:
    body = {"type": "bar", "form": "customer", "dimensions": [{"field": "nope"}],
            "measures": [{"agg": "sum", "field": "name"}]}
    r = client.post("/api/v1/apps/shop/query", json=body, headers=board.admin)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["widget.dimensions[0].field",
                                                                  "widget.measures[0].field"]
    r = client.post("/api/v1/apps/shop/query", json={"type": "bar", "form": "customer", "filter": "amount >"},
                    headers=board.admin)
    assert r.status_code == 422


def test_a_widget_filter_the_database_cannot_run_is_a_400_not_a_500(client: TestClient, board: Maker) -> None:
    body = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}], "measures": [{"agg": "count"}],
            "filter": "amount / 3 > 10"}  # DuckDB divides decimals inexactly: refused there, by name
    r = client.post("/api/v1/apps/shop/query?engine=mirror", json=body, headers=board.admin)
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_query"
    r = client.post("/api/v1/apps/shop/query", json=body, headers=board.admin)  # auto: the primary database answers
    assert r.status_code == 200 and r.json()["widgets"][0]["engine"] == "primary"


def test_datetimes_are_bucketed_in_the_app_time_zone(client: TestClient, make: Maker, app: Any) -> None:
    make.app_def(shop())
    app.state.clock = lambda: datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 2026-12-01 01:30 in Shanghai
    make.record("customer", {"name": "甲"})
    body = {"type": "line", "form": "customer", "dimensions": [{"field": "created_at", "bucket": "month"}],
            "measures": [{"agg": "count"}]}
    for engine in ("primary", "mirror"):
        r = client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)
        assert r.status_code == 200, r.text
        assert r.json()["widgets"][0]["rows"] == [["2026-12", 1]]


def test_drill_into_a_number_and_a_relation_dimension(client: TestClient, make: Maker) -> None:
    definition = shop()
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    by_amount = {"key": "by_amount", "type": "bar", "form": "customer", "dimensions": [{"field": "amount"}],
                 "measures": [{"agg": "count"}]}
    by_maker = {"key": "by_maker", "type": "bar", "form": "product", "dimensions": [{"field": "maker"}],
                "measures": [{"agg": "count"}]}
    definition["reports"] = [{"key": "r", "name": "看板", "widgets": [by_amount, by_maker]}]
    make.app_def(definition)
    maker = make.record("customer", {"name": "甲", "amount": "1.50"})
    make.record("product", {"title": "螺丝", "maker": maker["id"]})
    make.record("product", {"title": "螺母"})
    widgets = client.get("/api/v1/apps/shop/reports/r", headers=make.admin).json()["widgets"]
    assert widgets[0]["keys"] == [[1.5]]
    assert widgets[1]["rows"] == [["甲", 1], [None, 1]]  # shown by the related record's title
    assert widgets[1]["keys"] == [[maker["id"]], [None]]
    for widget, point, names in (("by_amount", "[1.5]", ["甲"]), ("by_maker", f"[{maker['id']}]", ["螺丝"])):
        r = client.get(f"/api/v1/apps/shop/reports/r/widgets/{widget}/drill", params={"point": point},
                       headers=make.admin)
        assert r.status_code == 200, r.text
        assert [i["data"].get("name") or i["data"].get("title") for i in r.json()["items"]] == names


def test_a_dashboard_filter_value_that_does_not_fit_the_column_is_a_400(client: TestClient, make: Maker) -> None:
    make.app_def(shop(reports=[{"key": "r", "name": "看板", "filters": [{"field": "id"}, {"field": "amount"}],
                                "widgets": [{"key": "w", "type": "kpi", "form": "customer",
                                             "measures": [{"agg": "count"}]}]}]))
    for query in ("?id=abc", "?amount=很多"):
        r = client.get(f"/api/v1/apps/shop/reports/r{query}", headers=make.admin)
        assert r.status_code == 400, r.text
    assert client.get("/api/v1/apps/shop/reports/r?id=1", headers=make.admin).status_code == 200


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_department_dimensions_show_the_department_name(client: TestClient, make: Maker, engine: str) -> None:
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "dept", "type": "department", "label": "所属部门"})
    widget = {"key": "by_dept", "type": "bar", "form": "customer", "dimensions": [{"field": "dept"}],
              "measures": [{"agg": "count"}]}
    definition["reports"] = [{"key": "r", "name": "看板", "widgets": [widget]}]
    make.app_def(definition)
    r = client.post("/api/v1/departments", json={"key": "east", "name": "华东销售部"}, headers=make.admin)
    assert r.status_code == 201, r.text
    make.record("customer", {"name": "甲", "dept": "east"})
    make.record("customer", {"name": "乙"})
    r = client.get("/api/v1/apps/shop/reports/r", params={"engine": engine}, headers=make.admin)
    assert r.status_code == 200, r.text
    shown = r.json()["widgets"][0]
    assert shown["rows"] == [["华东销售部", 1], [None, 1]]
    assert shown["keys"] == [["east"], [None]]  # drill-down still takes the key


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_table_has_subtotals_and_a_grand_total_unless_turned_off(client: TestClient, board: Maker, engine: str) -> None:
    body: dict[str, Any] = {"type": "table", "form": "customer", "dimensions": [{"field": "region"}, {"field": "level"}],
                            "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]}
    url = f"/api/v1/apps/shop/query?engine={engine}"
    shown = client.post(url, json=body, headers=board.admin).json()["widgets"][0]
    assert shown["subtotals"] == [["华东", 2, 300.3], ["华南", 1, 300.3], ["华北", 1, None], [None, 1, 50.0]]
    assert shown["totals"] == [5, 650.6]
    hidden = client.post(url, json={**body, "subtotals": False, "totals": False}, headers=board.admin).json()
    assert "subtotals" not in hidden["widgets"][0] and hidden["widgets"][0]["totals"] == []
    assert hidden["widgets"][0]["rows"] == shown["rows"]


def test_only_a_table_turns_its_subtotals_or_totals_off(client: TestClient, board: Maker) -> None:
    body = {"type": "bar", "form": "customer", "dimensions": [{"field": "region"}], "measures": [{"agg": "count"}],
            "subtotals": False, "totals": False}
    r = client.post("/api/v1/apps/shop/query", json=body, headers=board.admin)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["widget.subtotals", "widget.totals"]
