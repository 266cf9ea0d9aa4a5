"""create_record's `match`, `match_duplicates` and `link` through the HTTP API: a button on a work order links the
ticket of the same summary (or the oldest the ticket form's duplicate rules find), or creates it; the work order's
relation then names it; a bad link is a 422 at its path."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker
from tests.flows import FlowWorld, tickets

RECORDS = "/api/v1/apps/tickets/forms/{form}/records"
RAISE = {"type": "action", "action": "create_record", "form": "ticket", "match": {"summary": "title"},
         "values": {"summary": "title", "cost": "budget", "note": '"由工单创建"'}, "link": "ticket"}


def raise_ticket(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"key": "raise", "name": "生成报修单", "form": "work_order",
            "trigger": {"on": "button", "label": "生成报修单", "when": "ISBLANK(ticket)"}, "steps": list(steps)}


def tickets_of(w: FlowWorld) -> list[dict[str, Any]]:
    return w.client.get(RECORDS.format(form="ticket"), headers=w.h("admin")).json()["items"]  # type: ignore[no-any-return]


def test_a_button_creates_the_record_or_links_the_matching_one(make: Maker) -> None:
    w = FlowWorld(make, tickets(raise_ticket(RAISE)))
    existing = w.record({"summary": "电机异响", "cost": "10"})["id"]
    fresh = w.record({"title": "灯泡更换", "budget": "30"}, "work_order")["id"]
    same = w.record({"title": "电机异响", "budget": "900"}, "work_order")["id"]
    for order in (fresh, same):
        w.submit(order, "raise", user="wang")
    made = next(t for t in tickets_of(w) if t["id"] != existing)
    assert (made["data"]["summary"], made["data"]["cost"], made["data"]["note"]) == ("灯泡更换", "30.00", "由工单创建")
    assert len(tickets_of(w)) == 2  # the second matched: nothing made
    assert w.get_record(fresh, "work_order")["data"]["ticket"]["id"] == made["id"]
    assert w.get_record(same, "work_order")["data"]["ticket"]["id"] == existing
    assert w.get_record(existing)["data"]["cost"] == "10.00"  # matched, not overwritten
    history = w.client.get(f"{RECORDS.format(form='work_order')}/{fresh}/history", headers=w.h("admin")).json()
    assert [(h["action"], h["by"]) for h in history["items"]] == [("create", "admin"), ("update", "wang")]
    r = w.client.post("/api/v1/apps/tickets/flows/raise/instances", json={"record_id": fresh}, headers=w.h("wang"))
    assert r.status_code == 409  # linked now: the button's condition no longer holds


def test_a_link_that_is_not_a_relation_to_the_form_is_refused_at_its_path(make: Maker) -> None:
    bad = tickets(raise_ticket({**RAISE, "link": "budget", "match": {"ghost": "title"}}))
    r = make.client.post("/api/v1/apps", json=bad, headers=make.admin)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_definition"
    found = {d["path"]: d["code"] for d in r.json()["error"]["details"]}
    assert found == {"flows[0].steps[0].link": "wrong_field_type", "flows[0].steps[0].match.ghost": "unknown_field"}
    assert make.client.get("/api/v1/apps/tickets", headers=make.admin).status_code == 404  # nothing imported


SIMILAR = [{"key": "similar_summary", "name": "概述相近", "fields": [{"field": "summary", "match": "fuzzy"}],
            "threshold": 85}]


def test_match_duplicates_links_the_oldest_likely_duplicate_by_the_forms_rules_or_creates(make: Maker) -> None:
    definition = tickets(raise_ticket({**RAISE, "match": {}, "match_duplicates": True}))
    definition["forms"][0]["duplicate_rules"] = SIMILAR
    w = FlowWorld(make, definition)
    oldest = w.record({"summary": "一号车间电机异响", "cost": "10"})["id"]
    r = w.client.post(RECORDS.format(form="ticket") + "?allow_duplicates=true",
                      json={"data": {"summary": "一号车间电机异响。", "cost": "20"}}, headers=w.h("admin"))
    assert r.status_code == 201, r.text
    like = w.record({"title": "一号车间 电机异响", "budget": "900"}, "work_order")["id"]
    fresh = w.record({"title": "灯泡更换", "budget": "30"}, "work_order")["id"]
    for order in (like, fresh):
        w.submit(order, "raise", user="wang")
    assert w.get_record(like, "work_order")["data"]["ticket"]["id"] == oldest
    made = w.get_record(fresh, "work_order")["data"]["ticket"]["id"]
    assert len(tickets_of(w)) == 3 and w.get_record(made)["data"]["summary"] == "灯泡更换"


def test_match_duplicates_on_a_form_without_duplicate_rules_is_refused_at_its_path(make: Maker) -> None:
    r = make.client.post("/api/v1/apps", json=tickets(raise_ticket({**RAISE, "match_duplicates": True})),
                         headers=make.admin)
    assert r.status_code == 422, r.text
    found = {d["path"]: d["code"] for d in r.json()["error"]["details"]}
    assert found == {"flows[0].steps[0].match_duplicates": "no_duplicate_rules"}
