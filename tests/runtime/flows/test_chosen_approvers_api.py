"""发起人自选 through the HTTP API: the submitter names the approvers (and cc) of the steps that let them choose
when submitting; a pick for a step that does not ask, or of someone who is not an active user, is refused at
`chosen.<step>` and nothing starts; the people directory opens to the app's members for such a flow."""

from __future__ import annotations

from sqlalchemy import func, select, update

from runtime.db.tables import flow_instances, users
from tests.errors import without_request_id
from tests.factories import Maker
from tests.flows import FlowWorld, approval, approval_flow, tickets

FLOW = "/api/v1/apps/tickets/flows/approve/instances"


def world(make: Maker, *, chosen: bool = True) -> FlowWorld:
    picked = {"chosen": True} if chosen else {"users": ["li"]}
    w = FlowWorld(make, tickets(approval_flow(
        approval({"users": ["li"]}, name="组长审批"),
        approval(picked, mode="all", name="自选会签", key="picked"),
        {"type": "cc", "name": "抄送", "to": {"chosen": True}, "message": "{summary}"})))
    w.users("wang", "li", "zhao", "qian", "sun")
    return w


def test_the_submitters_picks_are_asked_in_turn_and_copied(make: Maker) -> None:
    w = world(make)
    rec = w.record({"summary": "出差"}, user="wang")
    r = w.client.post(FLOW, json={"record_id": rec["id"], "chosen": {"picked": ["zhao", "qian"], "steps[2]": ["sun"]}},
                      headers=w.h("wang"))
    assert r.status_code == 201, r.text
    w.decide("li")
    assert [t["step_name"] for t in w.inbox("zhao")] == [t["step_name"] for t in w.inbox("qian")] == ["自选会签"]
    w.decide("zhao")
    w.decide("qian")
    assert w.instance(r.json()["id"])["status"] == "approved"
    assert any("出差" in m["body"] for m in w.messages("sun"))


def test_without_picks_a_chosen_step_has_nobody_and_fails_as_the_step_says(make: Maker) -> None:
    w = world(make)
    inst = w.submit(w.record({"summary": "出差"}, user="wang")["id"], user="wang")
    w.decide("li")
    assert w.instance(inst["id"])["status"] == "failed"


def test_a_pick_the_flow_does_not_ask_for_or_of_an_unknown_user_is_refused_and_nothing_starts(make: Maker) -> None:
    w = world(make)
    rec = w.record({"summary": "出差"}, user="wang")
    with make.app.state.db.write() as conn:
        conn.execute(update(users).where(users.c.username == "sun").values(active=False))
    for chosen, path, code in (({"steps[0]": ["zhao"]}, "chosen.steps[0]", "unknown_step"),
                               ({"picked": ["zhao", "nobody"]}, "chosen.picked", "unknown_user"),
                               ({"picked": ["sun"]}, "chosen.picked", "unknown_user")):
        r = w.client.post(FLOW, json={"record_id": rec["id"], "chosen": chosen}, headers=w.h("wang"))
        assert r.status_code == 422, r.text
        error = without_request_id(r.json())["error"]
        assert [(d["path"], d["code"]) for d in error["details"]] == [(path, code)]
    r = w.client.post(FLOW, json={"record_id": rec["id"], "chosen": {"picked": ["x" * 65]}}, headers=w.h("wang"))
    assert r.status_code == 422
    with make.app.state.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(flow_instances)) == 0


def test_the_people_directory_opens_to_members_only_where_a_flow_lets_the_submitter_choose(make: Maker) -> None:
    w = world(make)
    r = w.client.get("/api/v1/apps/tickets/people", params={"q": "zha"}, headers=w.h("wang"))
    assert r.status_code == 200 and [p["username"] for p in r.json()["items"]] == ["zhao"]
