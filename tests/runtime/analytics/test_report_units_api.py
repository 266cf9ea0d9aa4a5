"""Numbers as people read them, over HTTP: each measure's unit from its field (or declared), counts and
money on their own value axes, KPI growth signed and abbreviated with 万, funnels over steps, and the
records behind a KPI or a funnel step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop
from tests.runtime.analytics.test_reports_api import ROWS

WIDGETS = [
    {"key": "by_region", "type": "bar", "form": "customer", "dimensions": [{"field": "region"}],
     "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"},
                  {"key": "share_a", "expr": 'COUNTIF(level = "A") / COUNT()', "format": "percent"}]},
    {"key": "this_month", "type": "kpi", "form": "customer", "measures": [{"agg": "sum", "field": "amount"}],
     "period": {"field": "since", "bucket": "month"}, "target": "1000000"},
    {"key": "dial", "type": "gauge", "form": "customer", "measures": [{"agg": "count"}], "target": "10"},
    {"key": "path", "type": "funnel", "form": "customer", "measures": [{"agg": "count"}],
     "steps": [{"label": "客户"}, {"label": "有成交", "filter": "amount > 0"}, {"label": "A 类", "filter": 'level = "A"'}]},
    {"key": "provinces", "type": "map", "form": "customer", "dimensions": [{"field": "addr"}],
     "measures": [{"agg": "sum", "field": "amount"}]},
    {"key": "ranking", "type": "horizontal_bar", "form": "customer", "dimensions": [{"field": "name"}],
     "measures": [{"agg": "sum", "field": "amount"}], "sort": "-sum_amount", "limit": 3},
]


ADDRESSES = {"甲公司": {"province": "江苏省", "city": "苏州市", "district": "工业园区", "detail": "星湖街 1 号"},
             "乙公司": "江苏省南京市鼓楼区中山路 2 号", "丙公司": {"province": "广东省", "city": "深圳市", "district": "南山区"}}


@pytest.fixture
def units(make: Maker, app: Any) -> Maker:
    app.state.clock = lambda: datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    definition = shop(reports=[{"key": "board", "name": "看板", "widgets": WIDGETS}])
    definition["forms"][0]["fields"].append({"key": "addr", "type": "address", "label": "地址"})
    make.app_def(definition)
    for row in ROWS:
        make.record("customer", row | ({"addr": ADDRESSES[row["name"]]} if row["name"] in ADDRESSES else {}))
    return make


def _widgets(client: TestClient, make: Maker) -> dict[str, Any]:
    r = client.get("/api/v1/apps/shop/reports/board", headers=make.admin)
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in r.json()["widgets"]}


def test_a_sum_of_a_money_field_is_money_and_a_count_an_integer_each_on_its_own_axis(client: TestClient,
                                                                                      units: Maker) -> None:
    w = _widgets(client, units)["by_region"]
    shown = {c["key"]: (c.get("format"), c.get("axis")) for c in w["columns"] if c["role"] == "measure"}
    assert shown == {"count": ("count", 0), "sum_amount": ("money", 1), "share_a": ("percent", None)}
    assert w["formatted"][0] == [None, "2", "¥300.30", "50.0%"]  # 华东


def test_a_kpi_shows_signed_growth_and_abbreviates_large_money_with_wan(client: TestClient, units: Maker) -> None:
    w = _widgets(client, units)["this_month"]
    row = dict(zip([c["key"] for c in w["columns"]], w["formatted"][0], strict=True))
    assert row["sum_amount"] == "¥400.40" and row["target"] == "¥1,000,000.00"
    assert row["previous"] == "¥200.20" and row["previous_growth"] == "+100.0%"
    short = dict(zip([c["key"] for c in w["columns"]], w["formatted_short"][0], strict=True))
    assert short["target"] == "¥100万" and short["sum_amount"] == "¥400.40"


def test_a_gauge_is_a_kpi_against_its_target(client: TestClient, units: Maker) -> None:
    w = _widgets(client, units)["dial"]
    assert w["rows"] == [[5, 10, 0.5]] and w["formatted"] == [["5", "10", "50.0%"]]


def test_a_gauge_without_a_target_is_refused_at_its_path(client: TestClient, make: Maker) -> None:
    broken = {"key": "dial", "type": "gauge", "form": "customer", "measures": [{"agg": "count"}]}
    r = client.post("/api/v1/apps", json=shop(reports=[{"key": "board", "name": "看板", "widgets": [broken]}]),
                    headers=make.admin)
    assert r.status_code == 422, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("reports[0].widgets[0].target", "no_target")]


def test_a_funnel_over_steps_counts_each_condition_and_drills_into_a_step(client: TestClient, units: Maker) -> None:
    w = _widgets(client, units)["path"]
    assert w["rows"] == [["客户", 5, None], ["有成交", 4, 0.8], ["A 类", 2, 0.5]]
    assert w["keys"] == [[0], [1], [2]]
    r = client.get("/api/v1/apps/shop/reports/board/widgets/path/drill", params={"point": "[2]"}, headers=units.admin)
    assert r.status_code == 200, r.text
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["丙公司", "甲公司"]
    r = client.get("/api/v1/apps/shop/reports/board/widgets/path/drill", params={"point": "[7]"}, headers=units.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "point"


def test_a_kpi_drills_into_the_records_of_its_current_period(client: TestClient, units: Maker) -> None:
    r = client.get("/api/v1/apps/shop/reports/board/widgets/this_month/drill", params={"point": "[]"},
                   headers=units.admin)
    assert r.status_code == 200, r.text
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["丙公司", "甲公司"]  # November 2026


def test_a_horizontal_bar_ranks_like_a_bar(client: TestClient, units: Maker) -> None:
    w = _widgets(client, units)["ranking"]
    assert [r[0] for r in w["rows"]] == ["丙公司", "乙公司", "甲公司", "其他"]
    assert w["columns"][1]["format"] == "money" and w["columns"][1]["axis"] == 0


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_map_groups_an_address_field_by_province_and_drills_into_one(client: TestClient, units: Maker,
                                                                        engine: str) -> None:
    r = client.get("/api/v1/apps/shop/reports/board", params={"engine": engine}, headers=units.admin)
    w = next(x for x in r.json()["widgets"] if x["key"] == "provinces")
    assert w["columns"][0]["label"] == "地址（省份）"
    assert w["rows"] == [["广东省", 300.3], ["江苏省", 300.3], [None, 50]]  # pinyin order, blanks last
    r = client.get("/api/v1/apps/shop/reports/board/widgets/provinces/drill", params={"point": '["江苏省"]'},
                   headers=units.admin)
    assert sorted(i["data"]["name"] for i in r.json()["items"]) == ["乙公司", "甲公司"]
