"""A flow reads `relation.field` values (`ticket.urgency`) in every expression it evaluates — trigger
conditions, branch conditions, button conditions, update and create mappings, message templates — even when
no formula or rule of the form reads them: the flow's own expressions say which related values to load."""

from __future__ import annotations

from typing import Any

from runtime.accounts.org import set_role_members
from tests.factories import Maker
from tests.flows import TICKETS, FlowWorld, tickets
from tests.runtime.flows.test_button_flow_sight_api import REP, seen_by


def order_flow(trigger: dict[str, Any], *steps: dict[str, Any], key: str = "auto") -> dict[str, Any]:
    return {"key": key, "name": "工单自动化", "form": "work_order", "trigger": trigger, "steps": list(steps)}


def set_budget(expr: str) -> dict[str, Any]:
    return {"type": "action", "action": "update_record", "set": {"budget": expr}}


def orders(w: FlowWorld, *tickets_data: dict[str, Any]) -> list[int]:
    """One work order per ticket, in order: their ids."""
    ids = []
    for data in tickets_data:
        ticket = w.record({"summary": "锅炉", **data})["id"]
        ids.append(w.record({"title": "维修", "ticket": ticket}, form="work_order")["id"])
    return ids


def budget(w: FlowWorld, order: int) -> Any:
    return w.get_record(order, form="work_order")["data"].get("budget")


def test_a_branch_condition_through_a_relation_takes_the_right_branch(make: Maker) -> None:
    branches = {
        "type": "condition",
        "branches": [
            {"when": 'ticket.urgency = "特急"', "steps": [set_budget("1000")]},
            {"default": True, "steps": [set_budget("10")]},
        ],
    }
    w = FlowWorld(make, tickets(order_flow({"on": "create"}, branches)))
    hot, cold = orders(w, {"urgency": "特急"}, {"urgency": "一般"})
    assert (budget(w, hot), budget(w, cold)) == ("1000.00", "10.00")


def test_a_notify_template_shows_a_field_of_the_related_record(make: Maker) -> None:
    notify = {
        "type": "notify",
        "to": {"users": ["admin"]},
        "title": "工单：{ticket.summary}",
        "message": "报修单“{ticket.summary}”（{ticket.urgency}）已派工",
    }
    w = FlowWorld(make, tickets(order_flow({"on": "create"}, notify)))
    orders(w, {"summary": "锅炉漏水", "urgency": "紧急"})
    [message] = w.messages("admin")
    assert (message["title"], message["body"]) == ("工单：锅炉漏水", "报修单“锅炉漏水”（紧急）已派工")


def test_a_create_trigger_condition_through_a_relation_starts_only_on_matching_records(make: Maker) -> None:
    w = FlowWorld(make, tickets(order_flow({"on": "create", "when": 'ticket.urgency = "特急"'}, set_budget("1"))))
    hot, cold = orders(w, {"urgency": "特急"}, {"urgency": "一般"})
    assert (budget(w, hot), budget(w, cold)) == ("1.00", None)


def test_a_delete_trigger_condition_reads_the_relation_of_the_deleted_record(make: Maker) -> None:
    notify = {"type": "notify", "to": {"users": ["admin"]}, "message": "删除了{ticket.summary}的工单"}
    w = FlowWorld(make, tickets(order_flow({"on": "delete", "when": 'ticket.urgency = "特急"'}, notify)))
    hot, cold = orders(w, {"summary": "甲", "urgency": "特急"}, {"summary": "乙", "urgency": "一般"})
    for order in (hot, cold):
        r = w.client.delete(f"/api/v1/apps/tickets/forms/work_order/records/{order}", headers=w.h("admin"))
        assert r.status_code in (200, 204), r.text
    assert [m["body"] for m in w.messages("admin")] == ["删除了甲的工单"]


def test_update_and_create_mappings_read_values_through_a_relation(make: Maker) -> None:
    create = {
        "type": "action",
        "action": "create_record",
        "form": "ticket",
        "values": {"summary": '"复查：" & ticket.summary', "cost": "ticket.cost + 1"},
    }
    w = FlowWorld(make, tickets(order_flow({"on": "create"}, set_budget("ticket.cost * 2"), create)))
    [order] = orders(w, {"summary": "水泵", "cost": "150"})
    assert budget(w, order) == "300.00"
    items = w.client.get("/api/v1/apps/tickets/forms/ticket/records", headers=w.h("admin")).json()["items"]
    assert sorted((i["data"]["summary"], i["data"].get("cost")) for i in items) == [
        ("复查：水泵", "151.00"),
        ("水泵", "150.00"),
    ]


def test_a_button_condition_through_a_relation_is_judged_on_the_pressers_view(make: Maker) -> None:
    # no formula of the work order reads the ticket's cost: the button's condition alone must load it
    flow = {
        "key": "rush",
        "name": "加急",
        "form": "work_order",
        "trigger": {"on": "button", "label": "加急处理", "when": "ticket.cost > 5000"},
        "steps": [{"type": "notify", "to": {"users": ["admin"]}, "message": "加急"}],
    }
    w = FlowWorld(make, tickets(flow, roles=[*TICKETS["roles"], REP]))
    w.users("wang", "rep")
    with w.app.state.db.write() as conn:  # the rep's only role hides the ticket's cost
        set_role_members(conn, "tickets", "member", ["wang"])
        set_role_members(conn, "tickets", "rep", ["rep"])
    big, small = orders(w, {"cost": "6000"}, {"cost": "100"})
    offered, status, _ = seen_by(w, "wang", "work_order", big)
    assert offered["items"] == [{"flow": "rush", "name": "加急", "label": "加急处理"}] and status == 201
    assert seen_by(w, "wang", "work_order", small)[1] == 409
    assert seen_by(w, "rep", "work_order", big) == seen_by(w, "rep", "work_order", small)
