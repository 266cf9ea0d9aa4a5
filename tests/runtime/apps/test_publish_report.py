"""Publishing a stricter definition over stored records: the report (how many break each new
constraint, with examples), the publisher's decisions (fill, new values only), and the refusal of an
undecided publish — through the builder's publish, PUT upgrades and their dry runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import Maker, shop

CUSTOMERS = "/api/v1/apps/shop/forms/customer"


def _customers(make: Maker, *rows: dict[str, Any]) -> list[int]:
    return [make.record("customer", row)["id"] for row in rows]


def _stricter(**note: Any) -> dict[str, Any]:
    """SHOP with the customer's `note` field changed."""
    changed = shop()
    changed["forms"][0]["fields"][4].update(note)
    return changed


def _edit_note(make: Maker, **changes: Any) -> None:
    r = make.client.patch(f"{CUSTOMERS}/fields/note", json=changes, headers=make.admin)
    assert r.status_code == 200, r.text


def _version(make: Maker) -> int:
    return make.client.get("/api/v1/apps/shop", headers=make.admin).json()["version"]  # type: ignore[no-any-return]


def _stored(make: Maker, key: str) -> dict[int, Any]:
    """Each customer's stored value of `key`, by record id."""
    items = make.client.get(f"{CUSTOMERS}/records", headers=make.admin).json()["items"]
    return {i["id"]: i["data"].get(key) for i in items}


def test_making_a_field_required_over_blank_records_is_refused_with_the_report(make: Maker) -> None:
    make.app_def()
    ids = _customers(make, {"name": "甲"}, {"name": "乙", "note": "有"}, {"name": "丙"})
    _edit_note(make, required=True)
    r = make.client.post("/api/v1/apps/shop/publish", headers=make.admin)
    assert r.status_code == 409
    [problem] = r.json()["error"]["report"]
    assert (problem["form"], problem["field"], problem["constraint"], problem["count"]) == \
        ("customer", "note", "required", 2)
    assert [(e["id"], e["title"]) for e in problem["examples"]] == [(ids[0], "甲"), (ids[2], "丙")]
    assert problem["choices"] == ["fill", "new_only"] and problem["default"] is None
    assert r.json()["error"]["details"][0]["path"] == "forms[0].fields[4].required"
    assert _version(make) == 1


@pytest.mark.parametrize(("change", "rows", "constraint", "count"), [
    ({"max_length": 3}, [{"note": "一二三四"}, {"note": "一二三"}, {"note": "很长很长的备注"}], "max_length", 2),
    ({"min_length": 2}, [{"note": "一"}, {"note": "一二"}], "min_length", 1),
    ({"pattern": "[A-Z]+"}, [{"note": "ABC"}, {"note": "abc"}, {"note": "X1"}], "pattern", 2),
    ({"type": "select", "options": ["好", "坏"]}, [{"note": "好"}, {"note": "中"}], "type", 1),
], ids=["max_length", "min_length", "pattern", "text_to_select"])
def test_the_dry_run_counts_the_records_that_break_a_new_text_rule(
        make: Maker, change: dict[str, Any], rows: list[dict[str, Any]], constraint: str, count: int) -> None:
    make.app_def()
    _customers(make, *({"name": f"客户{i}"} | row for i, row in enumerate(rows)))
    r = make.client.put("/api/v1/apps/shop", params={"dry_run": "true"}, json=_stricter(**change), headers=make.admin)
    assert r.status_code == 200, r.text
    assert [(p["constraint"], p["count"]) for p in r.json()["problems"]] == [(constraint, count)]
    assert _version(make) == 1  # a dry run changes nothing


@pytest.mark.parametrize(("field", "change", "rows", "constraint", "count"), [
    ("amount", {"min": 100}, [{"amount": 50}, {"amount": 100}, {"amount": "99.99"}], "min", 2),
    ("amount", {"max": 1000}, [{"amount": 5000}, {"amount": 1000}], "max", 1),
    ("region", {"options": ["华东", "华南"]}, [{"region": "华北"}, {"region": "华东"}, {"region": "华北"}], "options", 2),
    ("since", {"max": "2026-01-01"}, [{"since": "2026-05-01"}, {"since": "2025-05-01"}], "max", 1),  # dates: read
], ids=["money_min", "money_max", "select_option_removed", "date_max"])
def test_the_publish_check_counts_bounds_and_removed_options(
        make: Maker, field: str, change: dict[str, Any], rows: list[dict[str, Any]], constraint: str,
        count: int) -> None:
    make.app_def()
    _customers(make, *({"name": f"客户{i}"} | row for i, row in enumerate(rows)))
    r = make.client.patch(f"{CUSTOMERS}/fields/{field}", json=change, headers=make.admin)
    assert r.status_code == 200, r.text
    r = make.client.post("/api/v1/apps/shop/publish/check", headers=make.admin)
    assert [(p["field"], p["constraint"], p["count"]) for p in r.json()["problems"]] == [(field, constraint, count)]
    assert len(r.json()["problems"][0]["examples"]) == count


def test_a_removed_multi_select_option_and_a_stricter_sub_table_column_are_reported(make: Maker) -> None:
    definition = shop()
    definition["forms"][1]["fields"] += [
        {"key": "tags", "type": "multi_select", "label": "标签", "options": ["新", "热", "旧"]},
        {"key": "parts", "type": "sub_table", "label": "配件", "fields": [
            {"key": "part", "type": "text", "label": "名称"}, {"key": "qty", "type": "number", "label": "数量"}]}]
    make.app_def(definition)
    make.record("product", {"title": "甲", "tags": ["新", "旧"], "parts": [{"part": "螺丝", "qty": 0}]})
    make.record("product", {"title": "乙", "tags": ["热"], "parts": [{"part": "螺母", "qty": 2}]})
    definition["forms"][1]["fields"][2]["options"] = ["新", "热"]
    definition["forms"][1]["fields"][3]["fields"][1]["min"] = 1
    r = make.client.put("/api/v1/apps/shop", params={"dry_run": "true"}, json=definition, headers=make.admin)
    problems = [(p["field"], p["constraint"], p["count"], p["choices"]) for p in r.json()["problems"]]
    assert problems == [("tags", "options", 1, ["fill", "new_only"]), ("parts", "columns", 1, ["new_only"])]


def test_fill_with_a_value_writes_the_breaking_records_with_history_in_the_publish(make: Maker) -> None:
    make.app_def()
    blank, kept = _customers(make, {"name": "甲"}, {"name": "乙", "note": "原有"})
    _edit_note(make, required=True)
    decisions = [{"form": "customer", "field": "note", "constraint": "required", "action": "fill", "value": "未登记"}]
    r = make.client.post("/api/v1/apps/shop/publish", json={"decisions": decisions}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2
    got = {i["id"]: i["data"].get("note") for i in make.client.get(f"{CUSTOMERS}/records", headers=make.admin)
           .json()["items"]}
    assert got == {blank: "未登记", kept: "原有"}
    history = make.client.get(f"{CUSTOMERS}/records/{blank}/history", headers=make.admin).json()["items"]
    assert history[-1]["changed"] == ["note"] and history[-1]["version"] == 2
    assert len(make.client.get(f"{CUSTOMERS}/records/{kept}/history", headers=make.admin).json()["items"]) == 1


def test_fill_with_an_expression_is_computed_per_record(make: Maker) -> None:
    make.app_def()
    long, short = _customers(make, {"name": "甲", "note": "一二三四五"}, {"name": "乙", "note": "短"})
    decisions = [{"form": "customer", "field": "note", "constraint": "max_length", "action": "fill",
                  "expression": "LEFT(note, 3)"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": _stricter(max_length=3), "decisions": decisions},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    notes = _stored(make, "note")
    assert notes == {long: "一二三", short: "短"}


def test_a_fill_that_does_not_fit_the_new_rule_is_refused_and_nothing_is_written(make: Maker) -> None:
    make.app_def()
    [rec] = _customers(make, {"name": "甲", "note": "一二三四五"})
    decisions = [{"form": "customer", "field": "note", "constraint": "max_length", "action": "fill", "value": "太长的值"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": _stricter(max_length=3), "decisions": decisions},
                        headers=make.admin)
    assert r.status_code == 422 and str(rec) in r.json()["error"]["message"]
    assert _version(make) == 1
    assert make.client.get(f"{CUSTOMERS}/records/{rec}", headers=make.admin).json()["data"]["note"] == "一二三四五"


def test_a_type_change_fills_the_values_that_cannot_convert(make: Maker) -> None:
    make.app_def()
    ok, bad = _customers(make, {"name": "甲", "note": "12"}, {"name": "乙", "note": "很多"})
    money = {"key": "note", "type": "money", "label": "备注金额"}
    changed = shop()
    changed["forms"][0]["fields"][4] = money
    only_new = [{"form": "customer", "field": "note", "constraint": "type", "action": "new_only"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": changed, "decisions": only_new}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"].startswith("decisions[0]")
    fill = [{"form": "customer", "field": "note", "constraint": "type", "action": "fill", "value": 0}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": changed, "decisions": fill}, headers=make.admin)
    assert r.status_code == 200, r.text
    notes = _stored(make, "note")
    assert notes == {ok: "12.00", bad: "0.00"}


def test_unique_over_duplicates_reports_the_groups_and_cannot_be_decided_away(make: Maker) -> None:
    make.app_def()
    _customers(make, {"name": "甲", "note": "同"}, {"name": "乙", "note": "同"}, {"name": "丙", "note": "异"},
               {"name": "丁", "note": "异"}, {"name": "戊", "note": "独"})
    r = make.client.put("/api/v1/apps/shop", params={"dry_run": "true"}, json=_stricter(unique=True),
                        headers=make.admin)
    [problem] = r.json()["problems"]
    assert (problem["constraint"], problem["count"], problem["choices"]) == ("unique", 2, [])
    assert {(e["title"], e["value"]) for e in problem["examples"]} == {("甲", "同"), ("乙", "同"), ("丙", "异"),
                                                                       ("丁", "异")}
    only_new = [{"form": "customer", "field": "note", "constraint": "unique", "action": "new_only"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": _stricter(unique=True), "decisions": only_new},
                        headers=make.admin)
    assert r.status_code == 422
    r = make.client.put("/api/v1/apps/shop", json=_stricter(unique=True), headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["report"][0]["count"] == 2
    assert _version(make) == 1


def test_malformed_decisions_are_422_naming_the_decision(make: Maker) -> None:
    make.app_def()
    r = make.client.post("/api/v1/apps/shop/publish", json={"decisions": [{"form": "customer", "field": "note",
                                                                          "constraint": "required", "action": "fill"}]},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "decisions[0]"


def test_a_change_that_no_record_breaks_publishes_without_decisions(make: Maker) -> None:
    make.app_def()
    _customers(make, {"name": "甲", "note": "短"})
    assert make.client.post("/api/v1/apps/shop/publish/check", headers=make.admin).json() == {"ok": True, "problems": []}
    _edit_note(make, max_length=3, required=True)
    assert make.client.post("/api/v1/apps/shop/publish", headers=make.admin).status_code == 200


def test_a_new_validation_rule_is_reported_and_a_fill_must_satisfy_it(make: Maker) -> None:
    make.app_def()
    low, high = _customers(make, {"name": "甲", "amount": 5}, {"name": "乙", "amount": 500})
    changed = shop()
    changed["forms"][0]["fields"][3]["rules"] = [{"expr": "amount >= 100", "message": "金额至少 100"}]
    [problem] = make.client.put("/api/v1/apps/shop", params={"dry_run": "true"}, json=changed,
                                headers=make.admin).json()["problems"]
    assert (problem["field"], problem["constraint"], problem["count"]) == ("amount", "rules", 1)
    assert [e["id"] for e in problem["examples"]] == [low]
    decide = {"form": "customer", "field": "amount", "constraint": "rules", "action": "fill"}
    r = make.client.put("/api/v1/apps/shop", json={"definition": changed, "decisions": [decide | {"value": 50}]},
                        headers=make.admin)
    assert r.status_code == 422 and _version(make) == 1
    r = make.client.put("/api/v1/apps/shop", json={"definition": changed, "decisions": [decide | {"value": 100}]},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    amounts = _stored(make, "amount")
    assert amounts == {low: "100.00", high: "500.00"}


def test_a_fill_recomputes_the_formulas_and_rollups_that_read_the_field(make: Maker) -> None:
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "note_len", "type": "formula", "label": "备注长度",
                                             "formula": "LEN(note)", "result": "number"})
    definition["forms"][1]["fields"] += [
        {"key": "buyer", "type": "relation", "label": "客户", "target": "customer"},
        {"key": "buyer_note", "type": "lookup", "label": "客户备注", "relation": "buyer", "field": "note",
         "result": "text"}]
    make.app_def(definition)
    [customer] = _customers(make, {"name": "甲"})
    product = make.record("product", {"title": "扳手", "buyer": customer})["id"]
    definition["forms"][0]["fields"][4]["required"] = True
    decisions = [{"form": "customer", "field": "note", "constraint": "required", "action": "fill", "value": "未登记"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": definition, "decisions": decisions},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    data = make.client.get(f"{CUSTOMERS}/records/{customer}", headers=make.admin).json()["data"]
    assert (data["note"], str(data["note_len"])) == ("未登记", "3")
    got = make.client.get(f"/api/v1/apps/shop/forms/product/records/{product}", headers=make.admin).json()["data"]
    assert got["buyer_note"] == "未登记"


@pytest.mark.parametrize("fill", [
    {"expression": "LEFT(note, "},  # does not parse
    {"expression": "nope + 1"},  # unknown field
    {"value": {"a": [1]}},  # not text
    {"value": "x" * 10},  # too long for the new rule
], ids=["syntax", "unknown_field", "object", "too_long"])
def test_a_bad_fill_is_a_4xx_and_nothing_is_published(make: Maker, fill: dict[str, Any]) -> None:
    make.app_def()
    _customers(make, {"name": "甲", "note": "一二三四五"})
    decisions = [{"form": "customer", "field": "note", "constraint": "max_length", "action": "fill"} | fill]
    r = make.client.put("/api/v1/apps/shop", json={"definition": _stricter(max_length=3), "decisions": decisions},
                        headers=make.admin)
    assert 400 <= r.status_code < 500, r.text
    assert _version(make) == 1
