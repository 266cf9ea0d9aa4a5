"""An edit is never refused for a stored value it leaves alone: after a stricter rule was published for
new values only, a PATCH of another field, the whole record sent back unchanged, a kanban move, a bulk
update and a flow's update_record all go through; a new or changed value is checked in full."""

from __future__ import annotations

from typing import Any

from tests.factories import Maker, shop
from tests.flows import FlowWorld, tickets

CUSTOMERS = "/api/v1/apps/shop/forms/customer/records"


def _only_new(make: Maker, definition: dict[str, Any], *problems: tuple[str, str, str]) -> None:
    decisions = [{"form": f, "field": k, "constraint": c, "action": "new_only"} for f, k, c in problems]
    r = make.client.put(f"/api/v1/apps/{definition['key']}", json={"definition": definition, "decisions": decisions},
                        headers=make.admin)
    assert r.status_code == 200, r.text


def _stricter_customers() -> dict[str, Any]:
    """note: at most 3 characters and required; region: 华北 taken away; a rule on amount."""
    changed = shop()
    fields = changed["forms"][0]["fields"]
    fields[4].update(max_length=3)
    fields[1]["options"] = ["华东", "华南"]
    fields[3]["rules"] = [{"expr": "amount >= 100", "message": "金额至少 100"}]
    fields[5]["required"] = True
    return changed


def _published(make: Maker) -> tuple[int, int]:
    make.app_def()
    old = make.record("customer", {"name": "甲", "note": "很长的备注", "region": "华北", "amount": 5})["id"]
    blank = make.record("customer", {"name": "乙", "note": "短", "since": "2026-01-01", "amount": 500})["id"]
    make.client.patch(f"{CUSTOMERS}/{blank}", json={"data": {"since": None}}, headers=make.admin)
    _only_new(make, _stricter_customers(), ("customer", "note", "max_length"), ("customer", "region", "options"),
              ("customer", "since", "required"), ("customer", "amount", "rules"))
    return old, blank


def _patch(make: Maker, record: int, data: dict[str, Any]) -> Any:
    return make.client.patch(f"{CUSTOMERS}/{record}", json={"data": data}, headers=make.admin)


def test_a_patch_of_another_field_is_not_refused_for_stored_values_the_new_rules_refuse(make: Maker) -> None:
    old, blank = _published(make)
    r = _patch(make, old, {"level": "A"})  # a kanban move is this PATCH of the group field
    assert r.status_code == 200, r.text
    assert r.json()["data"]["note"] == "很长的备注" and r.json()["data"]["region"] == "华北"
    assert _patch(make, blank, {"name": "乙公司"}).status_code == 200  # since stays blank


def test_the_whole_record_sent_back_unchanged_is_accepted(make: Maker) -> None:
    old, _ = _published(make)
    data = make.client.get(f"{CUSTOMERS}/{old}", headers=make.admin).json()["data"]
    sent = {k: data.get(k) for k in ("name", "note", "region", "level", "amount", "since")} | {"level": "B"}
    r = _patch(make, old, sent)  # the web form sends every field, `since` blank as stored
    assert r.status_code == 200, r.text
    assert r.json()["data"]["level"] == "B"


def test_a_new_or_changed_value_is_checked_against_the_new_rules(make: Maker) -> None:
    old, blank = _published(make)
    cases = [({"note": "另一个很长的"}, "note"), ({"region": "华北"}, "region"), ({"amount": 6}, "amount")]
    for data, path in cases:
        r = _patch(make, blank, data)
        assert r.status_code == 422 and [d["path"] for d in r.json()["error"]["details"]] == [path], (data, r.text)
    r = _patch(make, old, {"note": "好"})
    assert r.status_code == 200
    r = make.client.post(CUSTOMERS, json={"data": {"name": "丙"}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "since"


def test_a_rule_the_stored_record_already_broke_does_not_refuse_an_edit_elsewhere(make: Maker) -> None:
    old, _ = _published(make)  # amount 5 < 100: the rule published after it was stored
    assert _patch(make, old, {"name": "甲公司"}).status_code == 200
    r = _patch(make, old, {"amount": 7})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["message"] == "金额至少 100"


def test_a_bulk_update_of_other_fields_is_not_refused(make: Maker) -> None:
    old, blank = _published(make)
    r = make.client.post("/api/v1/apps/shop/forms/customer/selection/update",
                         json={"ids": [old, blank], "data": {"level": "A"}}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 2


def test_a_flow_update_of_another_field_is_not_refused(make: Maker) -> None:
    flow = {"key": "auto", "name": "自动化", "form": "ticket", "trigger": {"on": "update", "fields": ["cost"]},
            "steps": [{"type": "action", "action": "update_record", "set": {"status": '"审批中"'}}]}
    w = FlowWorld(make, tickets(flow))
    rec = w.record({"summary": "很长的故障概述", "cost": 50})
    stricter = tickets(flow)
    stricter["forms"][0]["fields"][0]["max_length"] = 3
    _only_new(make, stricter, ("ticket", "summary", "max_length"))
    url = f"/api/v1/apps/tickets/forms/ticket/records/{rec['id']}"
    assert w.client.patch(url, json={"data": {"cost": 80}}, headers=w.h("admin")).status_code == 200
    [inst] = w.client.get(f"{url}/flows", headers=w.h("admin")).json()["items"]
    assert inst["status"] == "completed"
    assert w.get_record(rec["id"])["data"]["status"] == "审批中"


def test_a_sub_table_sent_back_as_the_web_form_sends_it_keeps_rows_a_new_column_rule_refuses(make: Maker) -> None:
    definition = shop()
    definition["forms"][1]["fields"].append({"key": "parts", "type": "sub_table", "label": "配件", "fields": [
        {"key": "part", "type": "text", "label": "名称"}, {"key": "qty", "type": "number", "label": "数量"},
        {"key": "twice", "type": "formula", "label": "两倍", "formula": "qty * 2", "result": "number"}]})
    make.app_def(definition)
    product = make.record("product", {"title": "扳手", "parts": [{"part": "螺丝", "qty": 0}]})["id"]
    definition["forms"][1]["fields"][2]["fields"][1]["min"] = 1
    _only_new(make, definition, ("product", "parts", "columns"))
    url = f"/api/v1/apps/shop/forms/product/records/{product}"
    sent = {"title": "大扳手", "price": None, "parts": [{"part": "螺丝", "qty": "0"}]}  # text inputs, no formula
    r = make.client.patch(url, json={"data": sent}, headers=make.admin)
    assert r.status_code == 200, r.text
    changed = sent | {"parts": [{"part": "螺丝", "qty": "0"}, {"part": "螺母", "qty": "0"}]}
    r = make.client.patch(url, json={"data": changed}, headers=make.admin)
    assert r.status_code == 422  # the table changed: every row is checked
