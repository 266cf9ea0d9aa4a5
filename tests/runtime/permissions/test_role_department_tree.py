"""Role members that are departments (issue 27): 含下级部门 gives the role to the members of every department
below too, as the tree is when rights are checked (a department moved under another follows); and a role
removed from the published definition takes its members with it."""

from __future__ import annotations

from runtime.audit import AuditQuery, search
from tests.factories import Maker
from tests.permission_setup import DEALS, deal, setup_sales

ROLES = "/api/v1/apps/sales/draft/roles"
MEMBERS = "/api/v1/apps/sales/roles/{}/members"
# 全员只读: every deal, read only (the tree sales > east > east1, sales > west; rep1 is in east1)
READER = {"name": "全员只读", "permissions": {"deal": {"read": "all"}}}


def _publish(make: Maker) -> None:
    r = make.client.post("/api/v1/apps/sales/publish", headers=make.admin)
    assert r.status_code == 200, r.text


def _reader(make: Maker) -> None:
    assert make.client.put(f"{ROLES}/reader", json=READER, headers=make.admin).status_code == 200
    _publish(make)


def _names(make: Maker, who: dict[str, str]) -> set[str]:
    return {x["data"]["name"] for x in make.client.get(DEALS, headers=who).json()["items"]}


def test_a_department_member_reaches_sub_departments_only_with_the_checkbox(make: Maker) -> None:
    people = setup_sales(make)
    c, admin = make.client, make.admin
    deal(make, people["rep3"], "华西单")  # rep1 (in east1, below east) sees it only through the reader role
    _reader(make)
    assert c.put(MEMBERS.format("reader"), json={"users": [], "departments": ["east"]}, headers=admin).status_code == 200
    assert "华西单" not in _names(make, people["rep1"])
    r = c.put(MEMBERS.format("reader"), json={"users": [], "departments": ["east"], "with_subdepartments": ["east"]},
              headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["with_subdepartments"] == ["east"]
    assert "华西单" in _names(make, people["rep1"])
    listed = next(x for x in c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"] if x["key"] == "reader")
    assert {"rep1", "rep2", "mgr"} <= set(listed["members"]) and "rep3" not in listed["members"]
    explained = c.get("/api/v1/apps/sales/roles/explain?user=rep1", headers=admin).json()
    assert {x["key"]: x["through"] for x in explained["roles"]} == {"rep": ["user"], "reader": ["east"]}
    with make.app.state.db.read() as conn:
        entries = search(conn, AuditQuery(action="role.members"))[0]
    assert any(e.detail.get("with_subdepartments_after") == ["east"] for e in entries)


def test_moving_a_department_under_another_moves_the_role_with_it(make: Maker) -> None:
    people = setup_sales(make)
    c, admin = make.client, make.admin
    deal(make, people["rep2"], "华东单")
    _reader(make)
    c.put(MEMBERS.format("reader"), json={"users": [], "departments": ["west"], "with_subdepartments": ["west"]},
          headers=admin)
    assert "华东单" not in _names(make, people["rep1"])
    r = c.patch("/api/v1/departments/east1", json={"parent": "west"}, headers=admin)
    assert r.status_code == 200, r.text
    assert "华东单" in _names(make, people["rep1"])  # east1 is now below west
    explained = c.get("/api/v1/apps/sales/roles/explain?user=rep1", headers=admin).json()
    assert {x["key"]: x["through"] for x in explained["roles"]}["reader"] == ["west"]
    c.patch("/api/v1/departments/east1", json={"parent": "east"}, headers=admin)
    assert "华东单" not in _names(make, people["rep1"])


def test_sub_departments_must_name_a_member_department(make: Maker) -> None:
    setup_sales(make)
    _reader(make)
    r = make.client.put(MEMBERS.format("reader"), json={"users": [], "departments": ["east"],
                                                        "with_subdepartments": ["west"]}, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "with_subdepartments"
    r = make.client.put(MEMBERS.format("reader"), json={"users": [], "with_subdepartments": ["west"]},
                        headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "with_subdepartments"
    listed = next(x for x in make.client.get("/api/v1/apps/sales/roles", headers=make.admin).json()["items"]
                  if x["key"] == "reader")
    assert listed["departments"] == [] and listed["with_subdepartments"] == []


def test_a_role_removed_on_publish_loses_its_members_and_starts_empty_when_made_again(make: Maker) -> None:
    people = setup_sales(make)
    c, admin = make.client, make.admin
    deal(make, people["rep3"], "华西单")
    _reader(make)
    c.put(MEMBERS.format("reader"), json={"users": ["rep1"], "departments": ["east"]}, headers=admin)
    assert c.delete(f"{ROLES}/reader", headers=admin).status_code == 204
    _publish(make)
    assert c.put(f"{ROLES}/reader", json=READER, headers=admin).status_code == 200
    _publish(make)
    listed = next(x for x in c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"] if x["key"] == "reader")
    assert listed["members"] == listed["users"] == listed["departments"] == []
    assert "华西单" not in _names(make, people["rep1"]) and "华西单" not in _names(make, people["rep2"])
