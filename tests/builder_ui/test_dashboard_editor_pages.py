"""The dashboard pages and roles over HTTP: a dashboard with roles is listed and opened only for their
holders (and those who may change the app), the editor pages are for managers, and the editor's data
places every widget and offers the filterable fields with the forms that have them."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Maker, shop

BOARDS = [
    {"key": "open", "name": "公开看板", "widgets": []},
    {
        "key": "secret",
        "name": "经理看板",
        "roles": ["boss"],
        "widgets": [
            {
                "key": "by_region",
                "type": "bar",
                "form": "customer",
                "dimensions": [{"field": "region"}],
                "measures": [{"agg": "count"}],
                "layout": {"x": 0, "y": 0, "w": 12, "h": 4},
            },
            {"key": "k", "type": "kpi", "form": "customer", "measures": [{"agg": "count"}]},
        ],
    },
]
ROLES = [
    {"key": "rep", "name": "销售", "permissions": {"*": {"read": "all"}}},
    {"key": "boss", "name": "经理", "permissions": {"*": {"read": "all"}}},
]


def _login(client: TestClient, username: str) -> None:
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303, r.text


def _setup(make: Maker) -> None:
    make.app_def(shop(reports=BOARDS, roles=ROLES))
    for role, user in [("rep", "rep1"), ("boss", "boss1")]:
        make.user(user, admin=False)
        make.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": [user]}, headers=make.admin)


def test_a_dashboard_with_roles_is_listed_and_opened_only_for_their_holders(make: Maker, client: TestClient) -> None:
    _setup(make)
    _login(client, "rep1")
    listed = client.get("/dashboards").text
    assert "公开看板" in listed and "经理看板" not in listed
    assert client.get("/apps/shop/dashboards/secret").status_code == 404
    assert client.get("/apps/shop/builder/dashboards/secret").status_code == 403
    _login(client, "boss1")
    assert "经理看板" in client.get("/dashboards").text
    page = client.get("/apps/shop/dashboards/secret")
    assert page.status_code == 200 and 'id="edit-dashboard"' not in page.text


def _editor(html: str) -> dict[str, Any]:
    return json.loads(
        re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', html, re.S).group(1)
    )


def test_the_editor_places_every_widget_and_offers_filterable_fields(make: Maker, client: TestClient) -> None:
    _setup(make)
    _login(client, "admin")
    assert 'href="/apps/shop/builder/dashboards"' in client.get("/dashboards").text
    assert 'href="/apps/shop/builder/dashboards/secret"' in client.get("/apps/shop/dashboards/secret").text
    data = _editor(client.get("/apps/shop/builder/dashboards/secret").text)
    assert data["places"] == {"by_region": {"x": 0, "y": 0, "w": 12, "h": 4}, "k": {"x": 0, "y": 4, "w": 3, "h": 3}}
    assert data["report"]["roles"] == ["boss"] and "layout" not in data["report"]["widgets"][1]
    fields = {f["key"]: f for f in data["fields"]}
    assert fields["region"] == {"key": "region", "label": "地区", "forms": ["customer"]}
    assert fields["created_at"]["label"] == "创建时间"
    assert [r["key"] for r in data["roles"]] == ["rep", "boss"]
    designs = client.get("/apps/shop/builder/dashboards").text
    assert "公开看板" in designs and "经理看板" in designs
    assert _editor(client.get("/apps/shop/builder/dashboards/open").text)["places"] == {}  # a new, empty one
