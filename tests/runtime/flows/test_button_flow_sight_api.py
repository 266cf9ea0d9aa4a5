"""A button flow's `when` is judged on the record as the user pressing it sees it: a field hidden or masked from
them (on the form, or through a relation) reads as blank, so two records that differ only in such a field look
the same to them — the same buttons, the same refusal, which names no condition reading what they cannot see."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runtime.accounts.org import set_role_members
from tests.errors import without_request_id
from tests.factories import Maker
from tests.flows import TICKETS, FlowWorld, tickets

RECORDS = "/api/v1/apps/tickets/forms"
REP = {
    "key": "rep",
    "name": "业务员",
    "permissions": {
        "ticket": {"read": "all", "fields": {"cost": "hidden", "keeper": "masked"}},
        "work_order": {"read": "all"},
    },
}


def button(when: str, form: str = "ticket") -> dict[str, Any]:
    return {
        "key": "rush",
        "name": "加急",
        "form": form,
        "trigger": {"on": "button", "label": "加急处理", "when": when},
        "steps": [{"type": "notify", "to": {"users": ["admin"]}, "message": "加急"}],
    }


def world(make: Maker, flow: dict[str, Any]) -> FlowWorld:
    definition = tickets(flow, roles=[*TICKETS["roles"], REP])
    if flow["form"] == "work_order":  # the order reads its ticket's cost (a formula makes the form load it)
        definition = copy.deepcopy(definition)
        definition["forms"][1]["fields"].append(
            {"key": "ticket_cost", "type": "formula", "label": "报修费用", "formula": "ticket.cost"}
        )
    w = FlowWorld(make, definition)
    w.users("wang", "rep")
    with w.app.state.db.write() as conn:  # the rep holds only the rep role: the cost hidden, the keeper masked
        set_role_members(conn, "tickets", "member", ["wang"])
        set_role_members(conn, "tickets", "rep", ["rep"])
    return w


def seen_by(w: FlowWorld, user: str, form: str, record_id: int) -> tuple[Any, int, Any]:
    """What `user` learns about the button on this record: the buttons offered, and pressing it."""
    offered = w.client.get(f"{RECORDS}/{form}/records/{record_id}/flow-buttons", headers=w.h(user))
    assert offered.status_code == 200, offered.text
    pressed = w.client.post(
        "/api/v1/apps/tickets/flows/rush/instances", json={"record_id": record_id}, headers=w.h(user)
    )
    body = without_request_id(pressed.json())
    return offered.json(), pressed.status_code, body.get("error") if pressed.status_code != 201 else body["status"]


@pytest.mark.parametrize(
    ("when", "big", "small"),
    [
        ("cost > 5000", {"cost": "6000"}, {"cost": "100"}),  # a hidden field
        ('keeper = "li"', {"keeper": "li"}, {"keeper": "zhao"}),  # a masked field
        ("ISBLANK(cost)", {}, {"cost": "1"}),  # blank-for-them is not "true because blank" for others
    ],
    ids=["hidden", "masked", "isblank"],
)
def test_two_records_differing_only_in_an_unseen_field_look_the_same_to_that_user(
    make: Maker, when: str, big: dict[str, Any], small: dict[str, Any]
) -> None:
    w = world(make, button(when))
    w.users("li", "zhao")
    one = w.record({"summary": "锅炉", **big})["id"]
    two = w.record({"summary": "锅炉", **small})["id"]
    # someone who sees the field gets different answers on the two records ...
    assert seen_by(w, "wang", "ticket", one)[0]["items"] != seen_by(w, "wang", "ticket", two)[0]["items"]
    # ... the rep, who does not, the very same ones, buttons and refusal alike
    assert seen_by(w, "rep", "ticket", one) == seen_by(w, "rep", "ticket", two)


def test_the_refusal_names_no_condition_that_reads_an_unseen_field(make: Maker) -> None:
    w = world(make, button('cost > 5000 AND urgency = "特急"'))
    rec = w.record({"summary": "锅炉", "cost": "6000", "urgency": "一般"})["id"]
    offered, status, error = seen_by(w, "rep", "ticket", rec)
    assert offered == {"items": []} and status == 409
    assert error["field"] == "trigger.when" and "condition" not in error
    assert "cost" not in error["message"] and "5000" not in error["message"] and "加急处理" in error["message"]
    _, _, told = seen_by(w, "wang", "ticket", rec)  # who sees every field it reads is told the condition
    assert told["condition"] == 'cost > 5000 AND urgency = "特急"'


def test_a_field_read_through_a_relation_is_blank_when_hidden_on_the_related_form(make: Maker) -> None:
    w = world(make, button("ticket.cost > 5000", form="work_order"))
    big = w.record({"summary": "锅炉", "cost": "6000"})["id"]
    small = w.record({"summary": "灯泡", "cost": "100"})["id"]
    one = w.record({"title": "维修", "ticket": big}, form="work_order")["id"]
    two = w.record({"title": "维修", "ticket": small}, form="work_order")["id"]
    wang = seen_by(w, "wang", "work_order", one)
    assert wang[0]["items"] == [{"flow": "rush", "name": "加急", "label": "加急处理"}] and wang[1] == 201
    assert seen_by(w, "wang", "work_order", two)[1] == 409
    assert seen_by(w, "rep", "work_order", one) == seen_by(w, "rep", "work_order", two)
