"""One order of text for rules, filters and reports (engine/text_order.py): what a form rule accepts, a
list filter with the same expression selects, and a report's MIN and MAX of text agree with both."""

from __future__ import annotations

from typing import Any

from engine.text_order import sort_key
from tests.expression_strategies import MIXED_ROWS
from tests.factories import Maker, shop

AFTER_HUADONG = 'name >= "cmp华东"'


def test_a_rule_accepts_exactly_what_the_same_list_filter_selects(make: Maker) -> None:
    definition = shop()
    definition["forms"][0]["fields"][0]["rules"] = [{"expr": AFTER_HUADONG, "message": "名称须排在 cmp华东 之后"}]
    make.app_def(definition)
    accepted = []
    for row in MIXED_ROWS:
        r = make.client.post(make.url(), json={"data": row}, headers=make.admin)
        assert r.status_code in (201, 422), r.text
        if r.status_code == 201:
            accepted.append(row["name"])
    # Han by pinyin before Latin letters: 阿 (ā) and digits come before 华 (huá), Z and a after
    assert sorted(accepted, key=sort_key) == ["cmp华东", "cmpá", "cmpa", "cmpA", "cmpZeta"]
    r = make.client.get(make.url(), params={"filter": AFTER_HUADONG, "limit": 100, "sort": "name"}, headers=make.admin)
    assert [i["data"]["name"] for i in r.json()["items"]] == sorted(accepted, key=sort_key)


def _query(make: Maker, body: dict[str, Any], engine: str = "") -> Any:
    return make.client.post(f"/api/v1/apps/shop/query{'?engine=' + engine if engine else ''}", json=body,
                            headers=make.admin)


def test_report_min_and_max_of_text_follow_the_chinese_order(make: Maker) -> None:
    make.app_def(shop())
    for row in MIXED_ROWS:
        make.record("customer", row)
    body = {"type": "table", "form": "customer", "dimensions": [{"field": "region"}],
            "measures": [{"agg": "min", "field": "name"}, {"agg": "max", "field": "name"}]}
    r = _query(make, body)
    assert r.status_code == 200, r.text
    widget = r.json()["widgets"][0]
    assert widget["engine"] == "primary"  # DuckDB has no Chinese order: the mirror is not asked
    assert {row[0]: row[1:] for row in widget["rows"]} == {
        "华东": ["12", "cmp1号"], "华南": ["cmpZeta", "cmpZeta"], "华北": ["cmp华东", "cmpa"], None: ["１２", "cmpA"]}
    assert widget["totals"] == ["12", "cmpZeta"]
    r = _query(make, body, "mirror")
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_query"


def test_a_report_filter_comparing_text_answers_from_the_primary_database_alike(make: Maker) -> None:
    make.app_def(shop())
    for row in MIXED_ROWS:
        make.record("customer", row)
    body = {"type": "table", "form": "customer", "dimensions": [{"field": "name"}], "measures": [{"agg": "count"}],
            "filter": 'STARTSWITH(name, "cmp") AND name < "cmp华东"'}
    r = _query(make, body)
    assert r.status_code == 200 and r.json()["widgets"][0]["engine"] == "primary", r.text
    assert [row[0] for row in r.json()["widgets"][0]["rows"]] == ["cmp1号", "cmp阿里"]
    assert _query(make, body, "mirror").json()["error"]["code"] == "unsupported_query"
