"""A small sales app with roles and an organisation, for the permission tests."""

from __future__ import annotations

import copy
from typing import Any

from tests.factories import Maker

SALES: dict[str, Any] = {
    "format": "tangram/app@1", "key": "sales", "name": "销售", "version": "1.0.0",
    "forms": [{"key": "deal", "name": "交易", "title_field": "name", "fields": [
        {"key": "name", "type": "text", "label": "名称", "required": True},
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "cost", "type": "money", "label": "成本"},
        {"key": "status", "type": "select", "label": "状态", "options": ["草稿", "已签约"], "default": "草稿"},
        {"key": "note", "type": "text", "label": "备注"},
        {"key": "files", "type": "attachment", "label": "附件"},
    ]}],
    "roles": [
        {"key": "rep", "name": "销售代表", "permissions": {"deal": {
            "create": True, "read": "own", "update": {"scope": "own", "when": 'status != "已签约"'},
            "fields": {"cost": "hidden", "note": "read"}}}},
        {"key": "manager", "name": "销售经理", "permissions": {"deal": {
            "create": True, "read": "department_tree", "update": "department", "delete": "own", "export": True,
            "fields": {"cost": "read"}}}},
        {"key": "auditor", "name": "审计", "default_field_access": "hidden", "permissions": {"deal": {
            "read": "all", "fields": {"name": "read"}}}},
    ],
}

# department -> parent; users -> (departments, roles)
TREE = {"sales": None, "east": "sales", "east1": "east", "west": "sales"}
PEOPLE = {"rep1": (["east1"], ["rep"]), "rep2": (["east"], ["rep"]), "rep3": (["west"], ["rep"]),
          "mgr": (["east"], ["manager"]), "aud": (["sales"], ["auditor"]), "nobody": ([], [])}


def sales_app() -> dict[str, Any]:
    return copy.deepcopy(SALES)


def setup_sales(make: Maker, definition: dict[str, Any] | None = None) -> dict[str, dict[str, str]]:
    """The app (SALES, or a changed copy), the department tree, the people with their roles; returns each
    user's headers."""
    make.app_def(definition or sales_app())
    c, admin = make.client, make.admin
    for key, parent in TREE.items():
        assert c.post("/api/v1/departments", json={"key": key, "name": key, "parent": parent},
                      headers=admin).status_code == 201
    roles: dict[str, list[str]] = {}
    for name, (depts, their_roles) in PEOPLE.items():
        r = c.post("/api/v1/users", json={"username": name, "password": "pass-word-1", "departments": depts},
                   headers=admin)
        assert r.status_code == 201, r.text
        for role in their_roles:
            roles.setdefault(role, []).append(name)
    for role, members in roles.items():
        assert c.put(f"/api/v1/apps/sales/roles/{role}/members", json={"users": members},
                     headers=admin).status_code == 200
    headers = {}
    for name in PEOPLE:
        r = c.post("/api/v1/auth/login", json={"username": name, "password": "pass-word-1"})
        assert r.status_code == 200, r.text
        headers[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return headers


DEALS = "/api/v1/apps/sales/forms/deal/records"


def deal(make: Maker, who: dict[str, str], name: str, **data: Any) -> dict[str, Any]:
    r = make.client.post(DEALS, json={"data": {"name": name, **data}}, headers=who)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]

