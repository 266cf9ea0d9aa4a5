"""The roles page's API (issue 27): roles edited in the draft (put, rename, copy, remove) and applied on
publish, department members resolved when rights are checked, which role grants what, and who may do it."""

from __future__ import annotations

from typing import Any

from runtime.audit import AuditQuery, search
from tests.factories import Maker
from tests.permission_setup import DEALS, deal, setup_sales

ROLES = "/api/v1/apps/sales/draft/roles"
# 区域销售: sees the deals of their departments, without 成本 (hidden) and with 金额 masked
REGIONAL = {"name": "区域销售", "default_field_access": "read", "permissions": {"deal": {
    "read": "department", "fields": {"cost": "hidden", "amount": "masked"}}}}


def _publish(make: Maker) -> None:
    r = make.client.post("/api/v1/apps/sales/publish", headers=make.admin)
    assert r.status_code == 200, r.text


def _login(make: Maker, name: str) -> dict[str, str]:
    r = make.client.post("/api/v1/auth/login", json={"username": name, "password": "pass-word-1"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_a_role_put_into_the_draft_applies_on_publish_to_a_whole_department(make: Maker) -> None:
    people = setup_sales(make)
    c, admin = make.client, make.admin
    big = deal(make, people["rep2"], "华东大单", amount="100.00")  # kept by 华东 (rep2's department)
    assert c.patch(f"{DEALS}/{big['id']}", json={"data": {"cost": "60.00"}}, headers=admin).status_code == 200
    deal(make, people["rep3"], "华西单", amount="5.00")
    r = c.put(f"{ROLES}/regional", json=REGIONAL, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["key"] == "regional"
    listed = c.get(ROLES, headers=admin).json()
    assert "regional" in [x["key"] for x in listed["roles"]]
    assert {"key": "cost", "label": "成本", "type": "money"} in listed["forms"][0]["fields"]
    # members are set on the published role: before publishing it does not exist yet
    url = "/api/v1/apps/sales/roles/regional/members"
    assert c.put(url, json={"users": [], "departments": ["east"]}, headers=admin).status_code == 400
    _publish(make)
    r = c.put(url, json={"users": [], "departments": ["east"]}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["departments"] == ["east"]
    # a user who joins 华东 after the role was given holds it at once
    c.post("/api/v1/users", json={"username": "newbie", "password": "pass-word-1", "departments": ["east"]},
           headers=admin)
    rows = c.get(DEALS, headers=_login(make, "newbie")).json()["items"]
    assert [x["data"]["name"] for x in rows] == ["华东大单"]
    assert "cost" not in rows[0]["data"] and rows[0]["data"]["amount"] != "100.00"
    roles = c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"]
    regional = next(x for x in roles if x["key"] == "regional")
    assert "newbie" in regional["members"] and regional["departments"] == ["east"] and regional["users"] == []
    with make.app.state.db.read() as conn:
        entries = search(conn, AuditQuery(action="role.members"))[0]
    assert any(e.detail.get("departments_after") == ["east"] for e in entries)


def test_rename_copy_and_remove_edit_the_draft_and_bad_cells_are_named(make: Maker) -> None:
    setup_sales(make)
    c, admin = make.client, make.admin
    rep = c.get(ROLES, headers=admin).json()["roles"][0]
    r = c.put(f"{ROLES}/rep", json={**rep, "name": "一线销售"}, headers=admin)
    assert r.status_code == 200 and r.json()["name"] == "一线销售"
    r = c.post(f"{ROLES}/rep/copy", json={"key": "rep2"}, headers=admin)
    assert r.status_code == 201 and r.json()["name"] == "一线销售（副本）"
    assert r.json()["permissions"] == rep["permissions"]
    assert c.post(f"{ROLES}/rep/copy", json={"key": "rep2"}, headers=admin).status_code == 409
    bad = {**rep, "permissions": {"deal": {"read": {"scope": "own", "when": "nosuch = 1"}, "fields": {"x": "read"}}}}
    r = c.put(f"{ROLES}/rep", json=bad, headers=admin)
    assert r.status_code == 422
    paths = {i["path"] for i in r.json()["error"]["details"]}
    assert "roles[0].permissions.deal.fields.x" in paths and "roles[0].permissions.deal.read.when" in paths
    assert c.put(f"{ROLES}/rep", json={**rep, "key": "other"}, headers=admin).status_code == 400
    assert c.delete(f"{ROLES}/rep2", headers=admin).status_code == 204
    assert c.delete(f"{ROLES}/rep2", headers=admin).status_code == 404
    assert [x["key"] for x in c.get(ROLES, headers=admin).json()["roles"]] == ["rep", "manager", "auditor"]
    # the published roles are unchanged until publish
    assert c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"][0]["name"] == "销售代表"
    _publish(make)
    names = [x["name"] for x in c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"]]
    assert names[0] == "一线销售"


def test_only_administrators_and_app_managers_edit_roles(make: Maker) -> None:
    people = setup_sales(make)
    c = make.client
    for who in ("rep1", "mgr", "nobody"):
        assert c.get(ROLES, headers=people[who]).status_code in (403, 404)
        assert c.put(f"{ROLES}/x", json={"name": "X"}, headers=people[who]).status_code in (403, 404)
        assert c.get("/api/v1/apps/sales/roles/explain?user=rep1", headers=people[who]).status_code in (403, 404)
    # an app manager (manage on "*") may
    r = c.put(f"{ROLES}/owner", json={"name": "应用管理员", "permissions": {"*": {"read": "all", "manage": True}}},
              headers=make.admin)
    assert r.status_code == 200, r.text
    _publish(make)
    assert c.put("/api/v1/apps/sales/roles/owner/members", json={"users": ["rep3"]},
                 headers=make.admin).status_code == 200
    assert c.get(ROLES, headers=people["rep3"]).status_code == 200
    assert c.put(f"{ROLES}/x", json={"name": "X"}, headers=people["rep3"]).status_code == 200
    assert c.put("/api/v1/apps/sales/roles/rep/members", json={"users": [], "departments": ["nosuch"]},
                 headers=people["rep3"]).status_code == 400


def test_explain_names_the_role_granting_each_right(make: Maker) -> None:
    setup_sales(make)
    c, admin = make.client, make.admin
    c.put(f"{ROLES}/regional", json=REGIONAL, headers=admin)
    _publish(make)
    c.put("/api/v1/apps/sales/roles/regional/members", json={"users": [], "departments": ["east"]}, headers=admin)
    r = c.get("/api/v1/apps/sales/roles/explain?user=mgr", headers=admin)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert {x["key"]: x["through"] for x in body["roles"]} == {"manager": ["user"], "regional": ["east"]}
    deal_rights = body["forms"]["deal"]
    assert deal_rights["operations"]["read"] == ["manager", "regional"]
    assert deal_rights["operations"]["delete"] == ["manager"] and deal_rights["operations"]["import"] == []
    assert deal_rights["fields"]["cost"] == {"access": "read", "roles": ["manager"]}
    assert deal_rights["fields"]["name"] == {"access": "edit", "roles": ["manager"]}
    assert c.get("/api/v1/apps/sales/roles/explain?user=nosuch", headers=admin).status_code == 404


def test_each_role_edit_is_audited_with_what_changed(make: Maker) -> None:
    setup_sales(make)
    c, admin = make.client, make.admin
    rep = c.get(ROLES, headers=admin).json()["roles"][0]
    stricter = {**rep, "default_field_access": "read",
                "permissions": {"deal": {**rep["permissions"]["deal"], "fields": {"cost": "hidden", "note": "hidden"}}}}
    assert c.put(f"{ROLES}/rep", json=stricter, headers=admin).status_code == 200
    assert c.post(f"{ROLES}/rep/copy", json={"key": "rep2", "name": "销售代表二"}, headers=admin).status_code == 201
    assert c.delete(f"{ROLES}/auditor", headers=admin).status_code == 204
    entries = c.get("/api/v1/audit", params={"action": "app.draft"}, headers=admin).json()["items"]
    removed, copied, put = (e["detail"] for e in entries[:3])
    assert put["role"] == "rep" and put["changed"] == {
        "default_field_access": {"from": None, "to": "read"},
        "permissions.deal": {"from": rep["permissions"]["deal"], "to": stricter["permissions"]["deal"]}}
    assert copied["role"] == "rep2" and copied["changed"]["name"] == {"from": None, "to": "销售代表二"}
    assert copied["changed"]["permissions.deal"]["to"] == stricter["permissions"]["deal"]
    assert removed["role"] == "auditor" and removed["changed"]["name"] == {"from": "审计", "to": None}
