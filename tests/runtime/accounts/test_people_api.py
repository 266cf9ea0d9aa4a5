"""The people directory of an app (GET /api/v1/apps/{app}/people): its builders and its approvers search
users and departments for the pickers; a plain member is refused and anyone else does not see the app."""

from __future__ import annotations

from sqlalchemy import update

from runtime.accounts import user_search
from runtime.db.tables import users
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

PEOPLE = "/api/v1/apps/tickets/people"
BUILDER = {"key": "builder", "name": "搭建者", "permissions": {"*": {"manage": True}}}


def world(make: Maker) -> FlowWorld:
    definition = tickets(approval_flow(approval({"users": ["li"]}, name="主管审批")))
    definition["roles"] = [*definition["roles"], BUILDER]
    w = FlowWorld(make, definition)
    w.org(
        [("sales", None, "zhao"), ("sales_east", "sales", "qian"), ("finance", None, "sun")],
        {"zhao": ["sales"], "qian": ["sales_east"], "wang": ["sales_east", "finance"], "sun": ["finance"]},
        {"builder": ["maker"]},
    )
    w.users("li")
    with make.app.state.db.write() as conn:
        for name, shown in (("wang", "王小明"), ("qian", "钱经理"), ("zhao", "赵总"), ("sun", "")):
            conn.execute(update(users).where(users.c.username == name).values(display_name=shown))
        user_search.refresh_all(conn)  # the names changed behind the API's back
    return w


def test_a_builder_finds_people_by_display_name_or_username_with_their_departments(make: Maker) -> None:
    w = world(make)
    r = w.client.get(PEOPLE, params={"q": "王"}, headers=w.h("maker"))
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [
        {
            "id": r.json()["items"][0]["id"],
            "username": "wang",
            "display_name": "王小明",
            "departments": [
                {"key": "sales_east", "name": "sales_east", "primary": True},
                {"key": "finance", "name": "finance", "primary": False},
            ],
        }
    ]
    assert [
        p["username"] for p in w.client.get(PEOPLE, params={"q": "QIAN"}, headers=w.h("maker")).json()["items"]
    ] == ["qian"]
    # no display name: shown by the username
    [sun] = w.client.get(PEOPLE, params={"q": "sun"}, headers=w.h("maker")).json()["items"]
    assert sun["display_name"] == "sun"
    # nothing beyond what a picker needs
    assert set(sun) == {"id", "username", "display_name", "departments"}


def test_department_narrows_to_its_members_and_those_below_and_usernames_pick_exactly(make: Maker) -> None:
    w = world(make)
    found = w.client.get(PEOPLE, params={"department": "sales"}, headers=w.h("maker")).json()["items"]
    assert [p["username"] for p in found] == ["qian", "wang", "zhao"]
    chosen = w.client.get(PEOPLE, params=[("username", "zhao"), ("username", "sun")], headers=w.h("maker")).json()
    assert [(p["username"], p["display_name"]) for p in chosen["items"]] == [("sun", "sun"), ("zhao", "赵总")]
    r = w.client.get(PEOPLE, params={"department": "nosuch"}, headers=w.h("maker"))
    assert r.status_code == 400 and r.json()["error"]["field"] == "department"


def test_departments_are_searched_by_name_or_key_with_their_heads_name(make: Maker) -> None:
    w = world(make)
    r = w.client.get(f"{PEOPLE}/departments", params={"q": "SALES"}, headers=w.h("maker"))
    assert r.status_code == 200, r.text
    assert [(d["key"], d["parent"], d["head"], d["head_name"]) for d in r.json()["items"]] == [
        ("sales", None, "zhao", "赵总"),
        ("sales_east", "sales", "qian", "钱经理"),
    ]


def test_an_approver_with_an_open_task_may_search_a_member_may_not_an_outsider_sees_no_app(make: Maker) -> None:
    w = world(make)
    assert w.client.get(PEOPLE, headers=w.h("li")).status_code == 403  # a member without a task
    w.submit(w.record({"summary": "漏油"}, user="wang")["id"], user="wang")
    assert w.client.get(PEOPLE, params={"q": "zhao"}, headers=w.h("li")).status_code == 200
    assert w.client.get(f"{PEOPLE}/departments", headers=w.h("li")).status_code == 200
    assert w.client.get(PEOPLE, headers=w.h("wang")).status_code == 403  # the submitter is no approver
    make.app_def(
        {
            "format": "tangram/app@1",
            "key": "other",
            "name": "其他",
            "version": "1.0.0",
            "forms": [{"key": "note", "name": "便签", "fields": [{"key": "t", "type": "text", "label": "内容"}]}],
            "roles": [{"key": "user", "name": "用户", "permissions": {"*": {"read": "all", "create": True}}}],
        }
    )
    outsider = make.user("outsider", admin=False)
    with make.app.state.db.write() as conn:
        from runtime.accounts.org import set_role_members

        set_role_members(conn, "other", "user", ["outsider"])
    assert w.client.get(PEOPLE, headers=outsider).status_code == 404  # a user of another app
    assert w.client.get(f"{PEOPLE}/departments", headers=outsider).status_code == 404
    assert w.client.get(PEOPLE, headers=w.h("admin")).status_code == 200


def test_bad_queries_are_4xx_naming_the_parameter(make: Maker) -> None:
    w = world(make)
    for params in ({"limit": 0}, {"limit": 51}, {"q": "x" * 101}):
        r = w.client.get(PEOPLE, params=params, headers=w.h("maker"))
        assert r.status_code in (400, 422), r.text
    r = w.client.get(PEOPLE, params=[("username", f"u{i}") for i in range(51)], headers=w.h("maker"))
    assert r.status_code == 422 and "username" in r.text  # at most 50 asked at once
    assert w.client.get("/api/v1/apps/nosuch/people", headers=w.h("maker")).status_code == 404
