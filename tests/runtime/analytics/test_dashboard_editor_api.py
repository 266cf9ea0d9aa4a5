"""The dashboard editor over HTTP: create, save (layout, filters per widget, roles), rename, copy and delete
dashboards and widgets on the draft, then publish; the report routes and the dashboard list honour the
filters' widgets and the roles; the CRM template's dashboards round-trip unchanged."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.app_check import parse_app
from engine.reports.model import ReportDefinition
from tests.factories import Maker, shop

DRAFT = "/api/v1/apps/shop/draft/reports"
CRM = json.loads((Path(__file__).parents[3] / "apps" / "crm_template.json").read_text(encoding="utf-8"))
BOARD = {
    "key": "board",
    "name": "看板",
    "filters": [{"field": "region"}],
    "widgets": [
        {
            "key": "by_region",
            "type": "bar",
            "form": "customer",
            "name": "按地区",
            "dimensions": [{"field": "region"}],
            "measures": [{"agg": "count"}],
        },
        {
            "key": "by_level",
            "type": "bar",
            "form": "customer",
            "name": "按等级",
            "dimensions": [{"field": "level"}],
            "measures": [{"agg": "count"}],
        },
    ],
}
ROLES = [
    {"key": "rep", "name": "销售", "permissions": {"*": {"read": "all"}}},
    {"key": "boss", "name": "经理", "permissions": {"*": {"read": "all"}}},
]


@pytest.fixture
def shop_app(make: Maker) -> Maker:
    make.app_def(shop(reports=[BOARD], roles=ROLES))
    for name, region, level in [("甲", "华东", "A"), ("乙", "华东", "B"), ("丙", "华南", "A")]:
        make.record("customer", {"name": name, "region": region, "level": level})
    for role, user in [("rep", "rep1"), ("boss", "boss1")]:
        make.user(user, admin=False)
        r = make.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": [user]}, headers=make.admin)
        assert r.status_code == 200, r.text
    return make


def _publish(make: Maker) -> None:
    r = make.client.post("/api/v1/apps/shop/publish", json={}, headers=make.admin)
    assert r.status_code == 200, r.text


def _counts(make: Maker, query: str = "", user: str = "admin") -> dict[str, dict[str, int]]:
    r = make.client.get(f"/api/v1/apps/shop/reports/board{query}", headers=make.user(user))
    assert r.status_code == 200, r.text
    return {w["key"]: {row[0]: row[1] for row in w["rows"]} for w in r.json()["widgets"]}


def test_layout_filters_and_roles_are_saved_to_the_draft_then_published(client: TestClient, shop_app: Maker) -> None:
    edited = copy.deepcopy(BOARD)
    edited["widgets"][0]["layout"] = {"x": 0, "y": 0, "w": 8, "h": 5}
    edited["widgets"][1]["layout"] = {"x": 8, "y": 0, "w": 4, "h": 5}
    edited["filters"] = [{"field": "region", "widgets": ["by_level"]}]
    r = client.put(f"{DRAFT}/board", json=edited, headers=shop_app.admin)
    assert r.status_code == 200, r.text
    assert r.json() == edited
    assert _counts(shop_app, "?region=华东")["by_region"] == {"华东": 2}  # the draft is not live yet
    _publish(shop_app)
    counts = _counts(shop_app, "?region=华东")
    assert counts["by_region"] == {"华东": 2, "华南": 1}  # the filter no longer applies to it
    assert counts["by_level"] == {"A": 1, "B": 1}


def test_an_overlapping_layout_is_422_at_its_path_and_changes_nothing(client: TestClient, shop_app: Maker) -> None:
    edited = copy.deepcopy(BOARD)
    edited["widgets"][0]["layout"] = {"x": 0, "y": 0, "w": 8, "h": 5}
    edited["widgets"][1]["layout"] = {"x": 6, "y": 2, "w": 6, "h": 5}
    r = client.put(f"{DRAFT}/board", json=edited, headers=shop_app.admin)
    assert r.status_code == 422
    assert "reports[0].widgets[1].layout" in [d["path"] for d in r.json()["error"]["details"]]
    assert client.get(f"{DRAFT}/board", headers=shop_app.admin).json() == BOARD


def test_a_dashboard_with_roles_is_seen_only_by_their_holders(client: TestClient, shop_app: Maker) -> None:
    r = client.put(f"{DRAFT}/board", json=BOARD | {"roles": ["boss"]}, headers=shop_app.admin)
    assert r.status_code == 200, r.text
    _publish(shop_app)
    assert _counts(shop_app, user="boss1")["by_region"] == {"华东": 2, "华南": 1}
    rep = shop_app.user("rep1")
    assert client.get("/api/v1/apps/shop/reports/board", headers=rep).status_code == 404
    assert client.get("/api/v1/apps/shop/reports/board/widgets/by_region/export", headers=rep).status_code == 404
    assert (
        client.get('/api/v1/apps/shop/reports/board/widgets/by_region/drill?point=["华东"]', headers=rep).status_code
        == 404
    )


def test_create_rename_copy_and_delete_dashboards(client: TestClient, shop_app: Maker) -> None:
    h = shop_app.admin
    assert client.post(DRAFT, json={"key": "empty", "name": "新看板"}, headers=h).json() == {
        "key": "empty",
        "name": "新看板",
    }
    assert client.post(DRAFT, json={"key": "empty", "name": "又一个"}, headers=h).status_code == 409
    assert client.patch(f"{DRAFT}/empty", json={"name": "空看板"}, headers=h).json()["name"] == "空看板"
    copied = client.post(f"{DRAFT}/board/copy", json={"key": "board2"}, headers=h)
    assert copied.status_code == 201, copied.text
    assert copied.json() == BOARD | {"key": "board2", "name": "看板（副本）"}
    assert client.delete(f"{DRAFT}/empty", headers=h).status_code == 204
    keys = [r["key"] for r in client.get(DRAFT, headers=h).json()["items"]]
    assert keys == ["board", "board2"]
    assert client.delete(f"{DRAFT}/nope", headers=h).status_code == 404
    bad = client.post(DRAFT, json={"key": "Not A Key", "name": "x"}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["path"].startswith("reports[")


def test_copy_and_delete_a_widget_keep_the_filters_consistent(client: TestClient, shop_app: Maker) -> None:
    h = shop_app.admin
    named = BOARD | {"filters": [{"field": "region", "widgets": ["by_level"]}]}
    assert client.put(f"{DRAFT}/board", json=named, headers=h).status_code == 200
    r = client.post(f"{DRAFT}/board/widgets/by_region/copy", json={"key": "by_region2"}, headers=h)
    assert r.status_code == 201, r.text
    assert [w["key"] for w in r.json()["widgets"]] == ["by_region", "by_region2", "by_level"]
    assert r.json()["widgets"][1]["name"] == "按地区（副本）"
    assert client.post(f"{DRAFT}/board/widgets/by_region/copy", json={"key": "by_level"}, headers=h).status_code == 409
    r = client.delete(f"{DRAFT}/board/widgets/by_level", headers=h)
    assert r.status_code == 200, r.text
    assert "filters" not in r.json()  # the filter named only the removed widget: removed, not widened


def test_only_managers_edit_dashboards(client: TestClient, shop_app: Maker) -> None:
    rep = shop_app.user("rep1")
    assert client.get(DRAFT, headers=rep).status_code == 403
    assert client.put(f"{DRAFT}/board", json=BOARD, headers=rep).status_code == 403


def test_every_crm_dashboard_round_trips_through_the_editor_unchanged(client: TestClient, make: Maker) -> None:
    """Unchanged as a definition: what the template spells out at its default (a KPI's `"bucket": "month"`)
    is stored as every draft is, without it."""
    make.app_def(CRM)
    url = f"/api/v1/apps/{CRM['key']}/draft/reports"
    for report in CRM["reports"]:
        opened = client.get(f"{url}/{report['key']}", headers=make.admin)
        assert opened.status_code == 200, opened.text
        saved = client.put(f"{url}/{report['key']}", json=opened.json(), headers=make.admin)
        assert saved.status_code == 200, saved.text
        assert ReportDefinition.model_validate(saved.json()) == ReportDefinition.model_validate(report)
    draft = client.get(f"/api/v1/apps/{CRM['key']}/draft", headers=make.admin).json()
    assert parse_app(draft).reports == parse_app(CRM).reports


def test_an_app_without_dashboards_answers_404_for_each_and_takes_a_new_one(client: TestClient, make: Maker) -> None:
    make.app_def(shop())
    h = make.admin
    assert client.get(f"{DRAFT}/board", headers=h).status_code == 404
    assert client.put(f"{DRAFT}/board", json=BOARD, headers=h).status_code == 404
    assert client.post(f"{DRAFT}/board/copy", json={"key": "b2"}, headers=h).status_code == 404
    assert client.delete(f"{DRAFT}/board/widgets/by_region", headers=h).status_code == 404
    assert client.post(DRAFT, json={"key": "first", "name": "第一个看板"}, headers=h).status_code == 201
