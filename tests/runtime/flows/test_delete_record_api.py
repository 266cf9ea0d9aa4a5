"""The delete_record action through the HTTP API: a flow soft-deletes its record (a rejected ticket is
archived) or the related records matching a condition; a bad configuration is a 422 at the step's path."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, approval, tickets

RECORDS = "/api/v1/apps/tickets/forms/{form}/records"


def on_rejected(*steps: dict[str, Any], key: str = "archive") -> dict[str, Any]:
    return {"key": key, "name": "驳回归档", "form": "ticket",
            "trigger": {"on": "update", "fields": ["status"], "when": 'status = "已驳回"'}, "steps": list(steps)}


DELETE = {"type": "action", "action": "delete_record"}
DRAFT_ORDERS = {**DELETE, "related": {"form": "work_order", "field": "ticket", "when": "ISBLANK(budget)"}}


def reject(w: FlowWorld, record_id: int) -> None:
    r = w.client.patch(f"{RECORDS.format(form='ticket')}/{record_id}", json={"data": {"status": "已驳回"}},
                       headers=w.h("wang"))
    assert r.status_code == 200, r.text


def live_ids(w: FlowWorld, form: str) -> list[int]:
    r = w.client.get(RECORDS.format(form=form), headers=w.h("admin"))
    assert r.status_code == 200, r.text
    return sorted(i["id"] for i in r.json()["items"])


def flows_of(w: FlowWorld, record_id: int) -> list[dict[str, Any]]:
    r = w.client.get(f"{RECORDS.format(form='ticket')}/{record_id}/flows", headers=w.h("admin"))
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_the_flow_moves_its_record_to_the_bin_in_the_name_of_the_user_whose_write_started_it(make: Maker) -> None:
    w = FlowWorld(make, tickets(on_rejected(DELETE)))
    kept, archived = w.record({"summary": "保留"})["id"], w.record({"summary": "归档"})["id"]
    reject(w, archived)
    assert live_ids(w, "ticket") == [kept]
    url = f"{RECORDS.format(form='ticket')}/{archived}"
    assert w.client.get(url, headers=w.h("admin")).status_code == 404
    history = w.client.get(f"{url}/history", headers=w.h("admin")).json()["items"]
    assert [(h["action"], h["by"]) for h in history] == [("create", "admin"), ("update", "wang"), ("delete", "wang")]
    assert w.client.post(f"{url}/restore", headers=w.h("admin")).status_code == 200  # a soft delete: restorable
    assert live_ids(w, "ticket") == [kept, archived]
    [instance] = flows_of(w, archived)
    assert instance["status"] == "completed"  # deleting its own record did not withdraw the flow
    assert "deleted" in [e["kind"] for e in instance["timeline"]]


def test_a_nightly_schedule_archives_the_matching_records_as_the_system(make: Maker) -> None:
    nightly = {"key": "cleanup", "name": "清理驳回", "form": "ticket",
               "trigger": {"on": "schedule", "cron": "0 2 * * *", "when": 'status = "已驳回"'}, "steps": [DELETE]}
    w = FlowWorld(make, tickets(nightly))
    kept = w.record({"summary": "保留"})["id"]
    rejected = w.record({"summary": "驳回", "status": "已驳回"})["id"]
    w.run_jobs()  # 10:00 local: queues the next 02:00
    assert live_ids(w, "ticket") == sorted([kept, rejected])
    w.run_jobs(hours=16)  # 02:00 on the 24th
    assert live_ids(w, "ticket") == [kept]
    history = w.client.get(f"{RECORDS.format(form='ticket')}/{rejected}/history", headers=w.h("admin")).json()
    assert [(h["action"], h["by"]) for h in history["items"]][-1] == ("delete", None)  # no user: the system


def test_related_records_pointing_at_the_record_are_deleted_where_the_condition_holds(make: Maker) -> None:
    w = FlowWorld(make, tickets(on_rejected(DRAFT_ORDERS)))
    ticket, other = w.record({"summary": "漏水"})["id"], w.record({"summary": "断电"})["id"]
    draft = w.record({"title": "草拟", "ticket": ticket}, "work_order")["id"]
    budgeted = w.record({"title": "已有预算", "ticket": ticket, "budget": 100}, "work_order")["id"]
    elsewhere = w.record({"title": "别的报修", "ticket": other}, "work_order")["id"]
    unlinked = w.record({"title": "未关联"}, "work_order")["id"]
    reject(w, ticket)
    assert live_ids(w, "work_order") == sorted([budgeted, elsewhere, unlinked])
    assert live_ids(w, "ticket") == sorted([ticket, other])  # with `related`, the flow's own record stays
    assert [i["status"] for i in flows_of(w, ticket)] == ["completed"]
    history = w.client.get(f"{RECORDS.format(form='work_order')}/{draft}/history", headers=w.h("admin")).json()
    assert [(h["action"], h["by"]) for h in history["items"]][-1] == ("delete", "wang")


def test_a_related_record_under_approval_fails_the_flow_and_deletes_nothing(make: Maker) -> None:
    approve_order = {"key": "approve", "name": "工单审批", "form": "work_order", "trigger": {"on": "submit"},
                     "steps": [approval({"users": ["boss"]})]}
    w = FlowWorld(make, tickets(on_rejected(DRAFT_ORDERS), approve_order))
    ticket = w.record({"summary": "漏水"})["id"]
    first = w.record({"title": "一", "ticket": ticket}, "work_order")["id"]
    locked = w.record({"title": "二", "ticket": ticket}, "work_order")["id"]
    w.users("boss")
    w.submit(locked)
    reject(w, ticket)  # the user's own write stands
    assert w.get_record(ticket)["data"]["status"] == "已驳回"
    assert live_ids(w, "work_order") == sorted([first, locked])  # the first delete was rolled back too
    [instance] = flows_of(w, ticket)
    assert instance["status"] == "failed"
    assert "审批" in instance["timeline"][-1]["message"]


def test_a_bad_related_configuration_is_refused_with_422_at_the_steps_path(make: Maker) -> None:
    bad = {**DELETE, "related": {"form": "work_order", "field": "title", "when": "budget >"}}
    r = make.client.post("/api/v1/apps", json=tickets(on_rejected({"type": "notify", "to": {"users": ["admin"]},
                                                                   "message": "x"}, bad)), headers=make.admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_definition"
    found = {d["path"]: d["code"] for d in r.json()["error"]["details"]}
    assert found == {"flows[0].steps[1].related.field": "unknown_relation",
                     "flows[0].steps[1].related.when": "invalid_expression"}
    assert make.client.get("/api/v1/apps/tickets", headers=make.admin).status_code == 404  # nothing imported
