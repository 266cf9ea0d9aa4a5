"""Departments, users, deactivation and handover (离职交接), role members — through the API and the CLI."""

from __future__ import annotations

import json
from typing import Any

from runtime.accounts.org import load_org
from runtime.audit import AuditQuery, search
from runtime.cli import main
from runtime.db import schema
from tests.backends import fresh_database
from tests.factories import Maker, shop
from tests.permission_setup import DEALS, deal, setup_sales


def test_departments_form_a_tree_and_refuse_cycles_and_unknown_parents(make: Maker) -> None:
    c, admin = make.client, make.admin
    assert c.post("/api/v1/departments", json={"key": "hq", "name": "总部"}, headers=admin).status_code == 201
    assert c.post("/api/v1/departments", json={"key": "east", "name": "华东", "parent": "hq"},
                  headers=admin).status_code == 201
    r = c.post("/api/v1/departments", json={"key": "x", "name": "X", "parent": "nosuch"}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "parent"
    assert c.patch("/api/v1/departments/hq", json={"parent": "east"}, headers=admin).status_code == 400
    assert c.post("/api/v1/departments", json={"key": "hq", "name": "again"}, headers=admin).status_code == 409
    items = c.get("/api/v1/departments", headers=admin).json()["items"]
    assert {(d["key"], d["parent"]) for d in items} == {("hq", None), ("east", "hq")}


def test_only_administrators_manage_the_organisation(make: Maker) -> None:
    rep = make.user("rep", admin=False)
    assert make.client.post("/api/v1/departments", json={"key": "d", "name": "D"}, headers=rep).status_code == 403
    assert make.client.post("/api/v1/users", json={"username": "u2", "password": "pass-word-1"},
                            headers=rep).status_code == 403
    assert make.client.get("/api/v1/users", headers=rep).status_code == 403


def test_users_get_departments_with_a_primary_one_and_never_show_a_password(make: Maker) -> None:
    c, admin = make.client, make.admin
    for key in ("a", "b"):
        c.post("/api/v1/departments", json={"key": key, "name": key}, headers=admin)
    r = c.post("/api/v1/users", json={"username": "wang.fang", "password": "pass-word-1", "display_name": "王芳",
                                      "departments": ["a", "b"], "primary_department": "b"}, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["primary_department"] == "b" and r.json()["departments"] == ["b", "a"]
    assert not {"password", "password_hash"} & r.json().keys() and "pass-word-1" not in str(r.json())
    assert "hash" not in str(r.json()) and "argon2" not in str(r.json())
    bad = c.post("/api/v1/users", json={"username": "li", "password": "short"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "password"


def test_a_deactivated_users_tokens_stop_working_at_once(make: Maker) -> None:
    people = setup_sales(make)
    assert make.client.get(DEALS, headers=people["rep1"]).status_code == 200
    r = make.client.patch("/api/v1/users/rep1", json={"active": False}, headers=make.admin)
    assert r.status_code == 200 and r.json()["active"] is False
    assert make.client.get(DEALS, headers=people["rep1"]).status_code == 401
    assert make.client.post("/api/v1/auth/login", json={"username": "rep1", "password": "pass-word-1"}).status_code == 401


def test_handover_gives_every_record_to_the_successor_and_their_department(make: Maker) -> None:
    people = setup_sales(make)
    mine = [deal(make, people["rep1"], f"交易{i}")["id"] for i in range(3)]
    r = make.client.patch("/api/v1/users/rep1", json={"active": False, "handover_to": "rep3"}, headers=make.admin)
    assert r.status_code == 200 and r.json()["handed_over"] == 3
    listed = make.client.get(DEALS, headers=people["rep3"]).json()["items"]
    assert {i["id"] for i in listed} == set(mine)
    assert {(i["owner"], i["department"]) for i in listed} == {("rep3", "west")}
    entry = make.client.get("/api/v1/audit", params={"action": "user.update"}, headers=make.admin).json()["items"][0]
    assert entry["detail"]["handed_over"] == 3 and entry["detail"]["active"] is False
    bad = make.client.patch("/api/v1/users/rep2", json={"handover_to": "rep1"}, headers=make.admin)
    assert bad.status_code == 400  # not to a deactivated user


def test_role_members_are_replaced_and_checked(make: Maker) -> None:
    people = setup_sales(make)
    c, admin = make.client, make.admin
    r = c.put("/api/v1/apps/sales/roles/auditor/members", json={"users": ["rep1", "aud"]}, headers=admin)
    assert r.status_code == 200 and r.json()["users"] == ["aud", "rep1"]
    assert len(c.get(DEALS, headers=people["rep1"]).json()["items"]) == 0  # reading all now, and there is nothing
    assert c.put("/api/v1/apps/sales/roles/nosuch/members", json={"users": []}, headers=admin).status_code == 400
    assert c.put("/api/v1/apps/sales/roles/rep/members", json={"users": ["ghost"]}, headers=admin).status_code == 404
    assert c.put("/api/v1/apps/sales/roles/rep/members", json={"users": []}, headers=people["mgr"]).status_code == 403
    roles = {r["key"]: r["members"] for r in c.get("/api/v1/apps/sales/roles", headers=admin).json()["items"]}
    assert roles["auditor"] == ["aud", "rep1"]
    entry = c.get("/api/v1/audit", params={"action": "role.members"}, headers=admin).json()["items"][0]
    assert entry["detail"] == {"role": "auditor", "before": ["aud"], "after": ["aud", "rep1"]}


def test_the_cli_creates_departments_users_with_roles_and_hands_over(tmp_path: Any, capsys: Any) -> None:
    with fresh_database("sqlite", tmp_path, create=False) as db:
        schema.upgrade(db)
        url = db.engine.url.render_as_string(hide_password=False)
        app_file = tmp_path / "shop.json"
        app_file.write_text(json.dumps(shop(roles=[{"key": "clerk", "name": "店员",
                                                    "permissions": {"*": {"read": "all"}}}])), encoding="utf-8")
        assert main(["app", "import", str(app_file), "--db", url]) == 0
        assert main(["department", "create", "east", "华东", "--db", url]) == 0
        assert main(["user", "create", "wang.li", "--password", "secret-123", "--department", "east",
                     "--role", "shop:clerk", "--db", url]) == 0
        assert main(["user", "create", "li.na", "--password", "secret-456", "--db", url]) == 0
        assert main(["user", "create", "x.y", "--password", "secret-456", "--role", "shop:nosuch", "--db", url]) == 1
        assert main(["role", "members", "shop", "clerk", "wang.li", "li.na", "--db", url]) == 0
        assert main(["user", "update", "wang.li", "--deactivate", "--handover-to", "li.na", "--db", url]) == 0
        out = capsys.readouterr().out
        assert "0 record(s) handed over to li.na" in out
        with db.read() as conn:
            snapshot = load_org(conn, "shop")
        assert snapshot.primary_department("wang.li") == "east"
        assert snapshot.role_members("clerk") == {"li.na"}  # deactivated users hold no roles
        with db.read() as conn:
            entries = search(conn, AuditQuery(limit=100))[0]
    assert {e.action for e in entries} >= {"department.create", "user.create", "role.members", "user.update"}
    assert all(e.ip == "cli" and e.actor is None for e in entries)


def test_nobody_new_joins_a_deactivated_department_and_who_is_in_it_stays(make: Maker) -> None:
    c, admin = make.client, make.admin
    for key in ("east", "west"):
        assert c.post("/api/v1/departments", json={"key": key, "name": key}, headers=admin).status_code == 201
    r = c.post("/api/v1/users", json={"username": "wang.fang", "password": "pass-word-1", "departments": ["east"]},
               headers=admin)
    assert r.status_code == 201, r.text
    assert c.patch("/api/v1/departments/east", json={"active": False}, headers=admin).status_code == 200
    joining = c.post("/api/v1/users", json={"username": "li.lei", "password": "pass-word-1", "departments": ["east"]},
                     headers=admin)
    assert joining.status_code == 400 and joining.json()["error"]["field"] == "departments"
    assert c.get("/api/v1/users/li.lei", headers=admin).status_code == 404  # nothing written
    staying = c.patch("/api/v1/users/wang.fang", json={"departments": ["east", "west"]}, headers=admin)
    assert staying.status_code == 200 and set(staying.json()["departments"]) == {"east", "west"}
    moving = c.patch("/api/v1/users/wang.fang", json={"departments": ["west"]}, headers=admin)
    assert moving.json()["departments"] == ["west"]
    rejoining = c.patch("/api/v1/users/wang.fang", json={"departments": ["east"]}, headers=admin)
    assert rejoining.status_code == 400 and rejoining.json()["error"]["field"] == "departments"
