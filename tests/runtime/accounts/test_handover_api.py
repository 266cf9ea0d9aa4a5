"""离职交接 through the API (issue 27): the preview counts per app and form, then one action moves the
records, the open approval tasks and the running flows to another user, audited; administrators only."""

from __future__ import annotations

from runtime.audit import AuditQuery, search
from tests.factories import Maker
from tests.permission_setup import DEALS, deal, sales_app, setup_sales

FLOW = {"key": "deal_approval", "name": "交易审批", "form": "deal", "trigger": {"on": "submit"},
        "steps": [{"type": "approval", "key": "check", "name": "审批", "approvers": {"users": ["rep1"]}}]}
URL = "/api/v1/users/rep1/handover"


def _setup(make: Maker) -> dict[str, dict[str, str]]:
    people = setup_sales(make)
    definition = sales_app()
    definition["flows"] = [FLOW]
    r = make.client.put("/api/v1/apps/sales", json=definition, headers=make.admin)
    assert r.status_code == 200, r.text
    mine = deal(make, people["rep1"], "张三的单")
    deal(make, people["rep1"], "张三的第二单")
    theirs = deal(make, people["rep2"], "李四的单")
    for who, record in (("rep1", mine), ("rep2", theirs)):
        r = make.client.post("/api/v1/apps/sales/flows/deal_approval/instances", json={"record_id": record["id"]},
                             headers=people[who])
        assert r.status_code == 201, r.text
    return people


def test_the_preview_counts_and_the_handover_moves_records_tasks_and_flows(make: Maker) -> None:
    people = _setup(make)
    c, admin = make.client, make.admin
    preview = c.get(URL, headers=admin)
    assert preview.status_code == 200, preview.text
    assert preview.json()["records"] == [{"app": "sales", "form": "deal", "count": 2}]
    assert preview.json()["tasks"] == [{"app": "sales", "form": "deal", "count": 2}]
    assert preview.json()["flows"] == [{"app": "sales", "form": "deal", "count": 1}]
    r = c.post(URL, json={"to": "rep3"}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["to"] == "rep3" and r.json()["tasks"][0]["count"] == 2
    seen = {x["data"]["name"]: x["owner"] for x in c.get(DEALS, headers=people["rep3"]).json()["items"]}
    # their own now, and 李四的单 read as its approver
    assert seen == {"张三的单": "rep3", "张三的第二单": "rep3", "李四的单": "rep2"}
    assert [x for x in c.get(DEALS, headers=people["rep1"]).json()["items"] if x["owner"] == "rep1"] == []
    tasks = c.get("/api/v1/tasks?status=open", headers=people["rep3"]).json()["items"]
    assert len(tasks) == 2
    assert c.get("/api/v1/tasks?status=open", headers=people["rep1"]).json()["items"] == []
    started = c.get("/api/v1/flow-instances?submitter=me", headers=people["rep3"])
    assert started.status_code == 200 and len(started.json()["items"]) == 1
    after = c.get(URL, headers=admin).json()
    assert after["records"] == after["tasks"] == after["flows"] == []
    with make.app.state.db.read() as conn:
        entries = search(conn, AuditQuery(action="user.handover"))[0]
    assert entries[0].detail["to"] == "rep3" and entries[0].detail["records"][0]["count"] == 2


def test_a_handover_is_refused_naming_what_is_wrong(make: Maker) -> None:
    people = _setup(make)
    c, admin = make.client, make.admin
    assert c.get(URL, headers=people["mgr"]).status_code == 403
    assert c.post(URL, json={"to": "rep3"}, headers=people["mgr"]).status_code == 403
    r = c.post(URL, json={"to": "rep1"}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"
    assert c.post(URL, json={"to": "nosuch"}, headers=admin).status_code == 404
    assert c.get("/api/v1/users/nosuch/handover", headers=admin).status_code == 404
    assert c.post(URL, json={}, headers=admin).status_code == 422
    c.patch("/api/v1/users/rep3", json={"active": False}, headers=admin)
    r = c.post(URL, json={"to": "rep3"}, headers=admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "to"
    # nothing moved
    assert c.get(URL, headers=admin).json()["tasks"] == [{"app": "sales", "form": "deal", "count": 2}]



def test_tasks_handed_over_no_longer_let_the_leaver_read_their_records(make: Maker) -> None:
    people = _setup(make)
    c, admin = make.client, make.admin
    decided = deal(make, people["rep2"], "李四的已批单")
    r = c.post("/api/v1/apps/sales/flows/deal_approval/instances", json={"record_id": decided["id"]},
               headers=people["rep2"])
    assert r.status_code == 201, r.text
    task = next(t for t in c.get("/api/v1/tasks?status=open", headers=people["rep1"]).json()["items"]
                if t["record_id"] == decided["id"])
    assert c.post(f"/api/v1/tasks/{task['id']}/approve", json={}, headers=people["rep1"]).status_code == 200
    before = {x["data"]["name"] for x in c.get(DEALS, headers=people["rep1"]).json()["items"]}
    assert {"李四的单", "李四的已批单"} <= before  # rep2's deals, read as their approver
    assert c.post(URL, json={"to": "rep3"}, headers=admin).status_code == 200
    after = {x["data"]["name"] for x in c.get(DEALS, headers=people["rep1"]).json()["items"]}
    assert "李四的单" not in after  # its open task went to rep3 with the handover: not rep1's any more
    assert "李四的已批单" in after  # decided by rep1 themselves: the decision stays explainable
    assert "李四的单" in {x["data"]["name"] for x in c.get(DEALS, headers=people["rep3"]).json()["items"]}


def test_a_handed_over_task_is_marked_so_and_a_transfer_that_only_says_so_keeps_its_grant(make: Maker) -> None:
    """The handover closes its tasks as `handed_over` (已离职交接); an ordinary 转交 whose comment happens to
    read 离职交接 is still a 转交: its approver keeps reading the record."""
    people = _setup(make)
    c = make.client
    task = next(t for t in c.get("/api/v1/tasks?status=open", headers=people["rep1"]).json()["items"]
                if t["record_id"] == deal_id(make, "李四的单"))
    r = c.post(f"/api/v1/tasks/{task['id']}/transfer", json={"to": "rep3", "comment": "离职交接"},
               headers=people["rep1"])
    assert r.status_code == 200, r.text
    assert "李四的单" in {x["data"]["name"] for x in c.get(DEALS, headers=people["rep1"]).json()["items"]}
    assert c.post(URL, json={"to": "rep3"}, headers=make.admin).status_code == 200
    done = c.get("/api/v1/tasks/done", headers=people["rep1"]).json()["items"]
    assert sorted(t["status"] for t in done) == ["handed_over", "transferred"]


def deal_id(make: Maker, name: str) -> int:
    items = make.client.get(DEALS, headers=make.admin).json()["items"]
    return int(next(x["id"] for x in items if x["data"]["name"] == name))
