"""Reports through the permission gate, on the primary database and the mirror alike: a rep counts only
their own records, a field hidden from them is unknown to widgets and filters, drill-down lists only
what they may read, and a user without a role sees no dashboard at all."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker, shop

ROLE = {"key": "rep", "name": "销售代表", "permissions": {"customer": {
    "create": True, "read": {"scope": "own"}, "update": "own", "fields": {"amount": "hidden"}}}}
LEAD = {"key": "lead", "name": "组长", "permissions": {"customer": {
    "read": {"scope": "all", "when": "level != \"A\""}}}}
BOARD = {"key": "board", "name": "看板", "filters": [{"field": "region"}], "widgets": [
    {"key": "by_level", "type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
     "measures": [{"agg": "count"}]},
    {"key": "amount", "type": "kpi", "form": "customer", "measures": [{"agg": "sum", "field": "amount"}]}]}


@pytest.fixture
def shop_with_roles(make: Maker) -> dict[str, dict[str, str]]:
    definition = shop(roles=[ROLE, LEAD], reports=[BOARD])
    make.app_def(definition)
    people = {name: make.user(name, admin=False) for name in ("rep1", "rep2", "lead", "nobody")}
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep1", "rep2"]}, headers=make.admin)
    make.client.put("/api/v1/apps/shop/roles/lead/members", json={"users": ["lead"]}, headers=make.admin)
    for who, name, level in (("rep1", "甲", "A"), ("rep1", "乙", "B"), ("rep2", "丙", "B"), ("rep2", "丁", "C")):
        r = make.client.post(make.url(), json={"data": {"name": name, "level": level, "region": "华东"}},
                             headers=people[who])
        assert r.status_code == 201, r.text
    return people


def _board(make: Maker, who: dict[str, str], engine: str, **params: str) -> dict[str, Any]:
    r = make.client.get("/api/v1/apps/shop/reports/board", params={"engine": engine, **params}, headers=who)
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in r.json()["widgets"]}


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_rep_counts_only_their_own_records_and_never_sees_a_hidden_field(
        make: Maker, shop_with_roles: dict[str, dict[str, str]], engine: str) -> None:
    board = _board(make, shop_with_roles["rep1"], engine)
    assert board["by_level"]["rows"] == [["A", 1], ["B", 1]]
    assert board["amount"]["rows"] == [] and board["amount"]["error"]["code"] == "bad_query"
    admin = _board(make, make.admin, engine)
    assert sum(r[1] for r in admin["by_level"]["rows"]) == 4 and "error" not in admin["amount"]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_row_condition_applies_on_both_engines(make: Maker, shop_with_roles: dict[str, dict[str, str]],
                                                 engine: str) -> None:
    board = _board(make, shop_with_roles["lead"], engine)
    assert board["by_level"]["rows"] == [["B", 2], ["C", 1]]


def test_hidden_fields_are_unknown_to_ad_hoc_widgets_and_drill_lists_only_readable_records(
        make: Maker, shop_with_roles: dict[str, dict[str, str]]) -> None:
    rep = shop_with_roles["rep1"]
    widget = {"type": "bar", "form": "customer", "dimensions": [{"field": "amount"}], "measures": [{"agg": "count"}]}
    r = make.client.post("/api/v1/apps/shop/query", json=widget, headers=rep)
    assert r.status_code == 400 and "amount" in r.text
    r = make.client.get("/api/v1/apps/shop/reports/board/widgets/by_level/drill", params={"point": '["B"]'},
                        headers=rep)
    assert r.status_code == 200
    assert [i["data"]["name"] for i in r.json()["items"]] == ["乙"]
    assert all("amount" not in i["data"] for i in r.json()["items"])


def test_a_user_without_a_role_sees_no_dashboard(make: Maker, shop_with_roles: dict[str, dict[str, str]]) -> None:
    nobody = shop_with_roles["nobody"]
    assert make.client.get("/api/v1/apps/shop/reports/board", headers=nobody).status_code == 404
    assert make.client.post("/api/v1/mirror/sync", headers=nobody).status_code == 403
