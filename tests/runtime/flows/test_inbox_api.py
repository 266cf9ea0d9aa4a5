"""What the inbox and the record lists read through the API: my open-task count, the tasks I decided
(我已处理), the cc steps that named me (抄送我), batch approval (all or nothing) and each listed record's
approval status, read for a whole page at once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

AUTOMATION = {"key": "stamp", "name": "登记", "form": "ticket", "trigger": {"on": "create"},
              "steps": [{"type": "action", "action": "update_record", "set": {"note": '"已登记"'}}]}


def world(make: Maker, *more: dict[str, Any]) -> FlowWorld:
    flow = approval_flow(approval({"users": ["li", "zhang"]}, "any", name="班组长审批"),
                         {"type": "cc", "to": {"users": ["cai"]}, "title": "抄送", "message": "报修单 {summary} 已审批"})
    w = FlowWorld(make, tickets(flow, *more))
    w.users("wang", "li", "zhang", "cai")
    return w


def test_count_is_the_number_of_my_open_tasks(make: Maker) -> None:
    w = world(make)
    for summary in ("漏油", "异响"):
        w.submit(w.record({"summary": summary}, user="wang")["id"], user="wang")
    assert make.client.get("/api/v1/tasks/count", headers=w.h("li")).json() == {"open": 2}
    w.decide("li")
    assert make.client.get("/api/v1/tasks/count", headers=w.h("li")).json() == {"open": 1}
    assert make.client.get("/api/v1/tasks/count", headers=w.h("wang")).json() == {"open": 0}


def test_done_lists_what_i_decided_newest_first_not_what_a_colleague_decided(make: Maker) -> None:
    w = world(make)
    first = w.record({"summary": "漏油"}, user="wang")["id"]
    second = w.record({"summary": "异响"}, user="wang")["id"]
    w.submit(first, user="wang")
    w.submit(second, user="wang")
    w.decide("li", "approve", {"comment": "可以"})
    w.decide("zhang", "reject", {"comment": "不修"})  # the other task of the first record was closed by li
    done = make.client.get("/api/v1/tasks/done", headers=w.h("li")).json()
    assert [(t["record_id"], t["status"], t["comment"], t["flow"]) for t in done["items"]] == [
        (first, "approved", "可以", "approve")]
    mine = make.client.get("/api/v1/tasks/done", headers=w.h("zhang")).json()["items"]
    assert [(t["record_id"], t["status"]) for t in mine] == [(second, "rejected")]
    assert make.client.get("/api/v1/tasks/done?flow=nosuch", headers=w.h("li")).json()["items"] == []
    assert make.client.get("/api/v1/tasks/done?app=tickets&flow=approve", headers=w.h("li")).json()["items"]


def test_open_tasks_filter_by_app_and_flow(make: Maker) -> None:
    w = world(make)
    w.submit(w.record({"summary": "漏油"}, user="wang")["id"], user="wang")
    base = "/api/v1/tasks?status=open"
    assert len(make.client.get(f"{base}&app=tickets&flow=approve", headers=w.h("li")).json()["items"]) == 1
    assert make.client.get(f"{base}&flow=other", headers=w.h("li")).json()["items"] == []
    assert make.client.get(f"{base}&app=other", headers=w.h("li")).json()["items"] == []


def test_cc_lists_the_cc_steps_that_named_me_and_not_the_approval_notices(make: Maker) -> None:
    w = world(make)
    rec = w.record({"summary": "漏油"}, user="wang")["id"]
    inst = w.submit(rec, user="wang")
    assert make.client.get("/api/v1/tasks/cc", headers=w.h("cai")).json()["items"] == []
    # li got a 待审批 message about this instance: that is a task, not a cc
    assert any(m["instance_id"] == inst["id"] for m in w.messages("li"))
    w.decide("li")
    cc = make.client.get("/api/v1/tasks/cc", headers=w.h("cai")).json()["items"]
    assert [(c["instance_id"], c["record_id"], c["status"], c["kind"], c["submitter"]) for c in cc] == [
        (inst["id"], rec, "approved", "notified", "wang")]
    assert cc[0]["sent"] == {"title": "抄送", "body": "报修单 漏油 已审批"}  # what the cc said, as sent to cai
    assert make.client.get("/api/v1/tasks/cc", headers=w.h("li")).json()["items"] == []
    assert make.client.get("/api/v1/tasks/cc?flow=other", headers=w.h("cai")).json()["items"] == []


def _open_ids(w: FlowWorld, user: str) -> list[int]:
    return [t["id"] for t in w.inbox(user)]


def test_batch_approve_approves_every_task_with_the_one_comment(make: Maker) -> None:
    w = world(make)
    instances = [w.submit(w.record({"summary": s}, user="wang")["id"], user="wang") for s in ("漏油", "异响")]
    r = make.client.post("/api/v1/tasks/batch-approve", json={"ids": _open_ids(w, "li"), "comment": "统一同意"},
                         headers=w.h("li"))
    assert r.status_code == 200, r.text
    assert [t["status"] for t in r.json()["items"]] == ["approved", "approved"]
    for inst in instances:
        shown = w.instance(inst["id"])
        assert shown["status"] == "approved"
        assert any(e["comment"] == "统一同意" and e["actor"] == "li" for e in shown["timeline"])


def test_batch_approve_is_all_or_nothing_and_names_the_task_that_refused(make: Maker) -> None:
    w = world(make)
    for summary in ("漏油", "异响"):
        w.submit(w.record({"summary": summary}, user="wang")["id"], user="wang")
    mine = _open_ids(w, "li")
    w.decide("zhang")  # zhang decides the first record first: li's task on it is closed
    r = make.client.post("/api/v1/tasks/batch-approve", json={"ids": mine, "comment": "同意"}, headers=w.h("li"))
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["task_id"] == mine[0] and error["details"][0]["path"] == "ids[0]"
    assert f"#{mine[0]}" in error["message"]
    assert _open_ids(w, "li") == mine[1:]  # the second was not approved either


def test_batch_approve_refuses_another_users_task_as_missing_and_changes_nothing(make: Maker) -> None:
    w = world(make)
    w.submit(w.record({"summary": "漏油"}, user="wang")["id"], user="wang")
    theirs = _open_ids(w, "li")
    r = make.client.post("/api/v1/tasks/batch-approve", json={"ids": theirs}, headers=w.h("wang"))
    assert r.status_code == 404 and r.json()["error"]["details"][0]["path"] == "ids[0]"
    assert _open_ids(w, "li") == theirs


def test_batch_approve_refuses_repeated_ids_an_empty_list_and_unknown_keys(make: Maker) -> None:
    w = world(make)
    w.submit(w.record({"summary": "漏油"}, user="wang")["id"], user="wang")
    task = _open_ids(w, "li")[0]
    for body, status in (({"ids": [task, task]}, 400), ({"ids": []}, 422), ({"ids": [task], "extra": 1}, 422),
                         ({"ids": [0]}, 422), ({"ids": list(range(1, 102))}, 422)):
        r = make.client.post("/api/v1/tasks/batch-approve", json=body, headers=w.h("li"))
        assert r.status_code == status, (body, r.text)
    assert _open_ids(w, "li") == [task]


def test_records_list_carries_each_records_latest_approval_status(make: Maker) -> None:
    w = world(make, AUTOMATION)
    ids = [w.record({"summary": s}, user="wang")["id"] for s in ("通过", "驳回", "审批中", "撤回", "未提交")]
    for rid in ids[:4]:
        w.submit(rid, user="wang")
    tasks = {t["record_id"]: t["id"] for t in w.inbox("li")}
    make.client.post(f"/api/v1/tasks/{tasks[ids[0]]}/approve", json={}, headers=w.h("li"))
    make.client.post(f"/api/v1/tasks/{tasks[ids[1]]}/reject", json={}, headers=w.h("li"))
    running = w.inbox("li")
    withdrawn = next(t["instance_id"] for t in running if t["record_id"] == ids[3])
    make.client.post(f"/api/v1/flow-instances/{withdrawn}/cancel", json={}, headers=w.h("wang"))
    again = w.submit(ids[1], user="wang")  # resubmitted after the rejection: the newest instance counts
    body = make.client.get("/api/v1/apps/tickets/forms/ticket/records?limit=50", headers=w.h("wang")).json()
    statuses = {int(k): v["status"] for k, v in body["approvals"].items()}
    # the create-triggered automation ran on every record, and is no approval status
    assert statuses == {ids[0]: "approved", ids[1]: "running", ids[2]: "running", ids[3]: "cancelled"}
    assert body["approvals"][str(ids[1])] == {"status": "running", "flow": "approve", "instance_id": again["id"]}


def test_records_list_reads_the_approval_status_of_a_page_in_one_query(make: Maker) -> None:
    w = world(make)

    def statements_for_a_page() -> int:
        seen: list[str] = []
        engine = make.app.state.db.engine
        listen = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, …)
        event.listen(engine, "before_cursor_execute", listen)
        try:
            r = make.client.get("/api/v1/apps/tickets/forms/ticket/records", headers=w.h("wang"))
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        assert r.status_code == 200 and "approvals" in r.json()
        return sum("flow_instances" in s for s in seen)

    for s in ("一", "二"):
        w.submit(w.record({"summary": s}, user="wang")["id"], user="wang")
    two = statements_for_a_page()
    for s in ("三", "四", "五", "六"):
        w.submit(w.record({"summary": s}, user="wang")["id"], user="wang")
    assert statements_for_a_page() == two == 1


def test_a_form_without_approval_flows_has_no_approvals_in_its_list(make: Maker) -> None:
    w = FlowWorld(make, tickets(AUTOMATION))
    w.record({"summary": "漏油"})
    body = make.client.get("/api/v1/apps/tickets/forms/ticket/records", headers=w.h("admin")).json()
    assert "approvals" not in body and len(body["items"]) == 1
