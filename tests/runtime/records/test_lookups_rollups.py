"""Lookups and rollups: kept current in the same transaction as the write that changes them."""

from __future__ import annotations

from typing import Any

from engine.app_check import validate_app

ACCOUNTS = {
    "key": "accounts", "name": "客户", "forms": [
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "客户名称", "required": True},
            {"key": "level", "type": "select", "label": "等级", "options": ["A", "B", "C"]},
            {"key": "total", "type": "rollup", "label": "累计成交金额",
             "source": {"form": "contract", "field": "customer"}, "agg": "sum", "of": "amount"},
            {"key": "contracts", "type": "rollup", "label": "合同数",
             "source": {"form": "contract", "field": "customer"}, "agg": "count"},
            {"key": "last_signed", "type": "rollup", "label": "最近签约", "result": "date",
             "source": {"form": "contract", "field": "customer"}, "agg": "max", "of": "signed_on"},
            {"key": "vip", "type": "formula", "label": "大客户", "result": "bool", "formula": "total >= 1000000"},
        ]},
        {"key": "contract", "name": "合同", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "合同名称", "required": True},
            {"key": "customer", "type": "relation", "label": "客户", "target": "customer", "required": True},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "signed_on", "type": "date", "label": "签约日期"},
            {"key": "customer_level", "type": "lookup", "label": "客户等级", "relation": "customer", "field": "level"},
        ]},
    ],
}


def _get(make: Any, form: str, record_id: int) -> dict[str, Any]:
    return make.client.get(f"{make.url(form, 'accounts')}/{record_id}", headers=make.admin).json()["data"]


def test_rollups_follow_creates_updates_moves_deletes_and_restores(make: Any) -> None:
    make.app_def(ACCOUNTS)
    a = make.record("customer", {"name": "甲"}, app="accounts")["id"]
    b = make.record("customer", {"name": "乙"}, app="accounts")["id"]
    assert _get(make, "customer", a)["total"] == "0" and _get(make, "customer", a)["contracts"] == "0"
    c1 = make.record("contract", {"title": "一", "customer": a, "amount": "600000.10", "signed_on": "2026-03-01"},
                     app="accounts")["id"]
    make.client.post(make.url("contract", "accounts") + "/bulk", headers=make.admin, json={"items": [
        {"title": "二", "customer": a, "amount": "400000.20", "signed_on": "2026-05-01"},
        {"title": "三", "customer": b, "amount": "5"}]})
    data = _get(make, "customer", a)
    assert {k: data[k] for k in ("total", "contracts", "last_signed", "vip")} == {
        "total": "1000000.3", "contracts": "2", "last_signed": "2026-05-01", "vip": True}
    url = f"{make.url('contract', 'accounts')}/{c1}"
    make.client.patch(url, json={"data": {"customer": b}}, headers=make.admin)  # moves to another customer
    assert _get(make, "customer", a)["total"] == "400000.2" and _get(make, "customer", a)["vip"] is False
    assert _get(make, "customer", b)["total"] == "600005.1"
    make.client.delete(url, headers=make.admin)
    assert _get(make, "customer", b)["contracts"] == "1"
    make.client.post(f"{url}/restore", headers=make.admin)
    assert _get(make, "customer", b)["contracts"] == "2"


def test_lookup_is_copied_on_write_and_refreshed_when_the_source_changes(make: Any) -> None:
    make.app_def(ACCOUNTS)
    a = make.record("customer", {"name": "甲", "level": "B"}, app="accounts")["id"]
    contract = make.record("contract", {"title": "一", "customer": a}, app="accounts")
    assert contract["data"]["customer_level"] == "B"
    make.client.patch(f"{make.url('customer', 'accounts')}/{a}", json={"data": {"level": "A"}}, headers=make.admin)
    assert _get(make, "contract", contract["id"])["customer_level"] == "A"
    found = make.client.get(make.url("contract", "accounts"), params={"filter": 'customer_level = "A"'},
                            headers=make.admin).json()["items"]
    assert [i["id"] for i in found] == [contract["id"]]
    make.client.delete(f"{make.url('customer', 'accounts')}/{a}", headers=make.admin)
    assert "customer_level" not in _get(make, "contract", contract["id"])


def test_rollups_and_lookups_cannot_be_written(make: Any) -> None:
    make.app_def(ACCOUNTS)
    r = make.client.post(make.url("customer", "accounts"), json={"data": {"name": "甲", "total": "5"}},
                         headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["code"] == "read_only"


def test_broken_lookup_and_rollup_definitions_are_reported_at_their_paths() -> None:
    broken = {**ACCOUNTS, "forms": [
        {**ACCOUNTS["forms"][0], "fields": [*ACCOUNTS["forms"][0]["fields"][:2],
            {"key": "x", "type": "rollup", "label": "x", "source": {"form": "contract", "field": "title"}, "agg": "count"},
            {"key": "y", "type": "rollup", "label": "y", "source": {"form": "contract", "field": "customer"},
             "agg": "sum", "of": "title"}]},
        {**ACCOUNTS["forms"][1], "fields": [*ACCOUNTS["forms"][1]["fields"][:4],
            {"key": "z", "type": "lookup", "label": "z", "relation": "customer", "field": "level", "result": "number"},
            {"key": "w", "type": "lookup", "label": "w", "relation": "title", "field": "level"}]}]}
    paths = {i.path for i in validate_app(broken)}
    assert {"forms[0].fields[2].source.field", "forms[0].fields[3].of", "forms[1].fields[4].result",
            "forms[1].fields[5].relation"} <= paths


def test_formulas_read_through_a_relation_and_follow_its_changes(make: Any) -> None:
    accounts = {**ACCOUNTS, "forms": [ACCOUNTS["forms"][0], {**ACCOUNTS["forms"][1], "fields": [
        *ACCOUNTS["forms"][1]["fields"],
        {"key": "tag", "type": "formula", "label": "标签", "result": "text", "formula": 'customer.level & "级客户"'},
        {"key": "big", "type": "formula", "label": "大合同", "result": "bool",
         "formula": 'amount >= 100000 AND customer.level = "A"'},
    ]}]}
    make.app_def(accounts)
    a = make.record("customer", {"name": "甲", "level": "B"}, app="accounts")["id"]
    contract = make.record("contract", {"title": "一", "customer": a, "amount": "200000"}, app="accounts")
    assert (contract["data"]["tag"], contract["data"]["big"]) == ("B级客户", False)
    make.client.patch(f"{make.url('customer', 'accounts')}/{a}", json={"data": {"level": "A"}}, headers=make.admin)
    data = _get(make, "contract", contract["id"])
    assert (data["tag"], data["big"]) == ("A级客户", True)


def test_creates_carry_rollups_forward_and_match_a_full_recount(make: Any) -> None:
    """Bulk creates add to the stored sums, counts and maxima; a parent whose rollup was never
    computed (the field came after its records) is read in full instead."""
    import copy
    import random

    without = copy.deepcopy(ACCOUNTS)
    without["forms"][0]["fields"] = [f for f in without["forms"][0]["fields"] if f["key"] != "contracts"]
    make.app_def(without)
    parents = [make.record("customer", {"name": f"客户{i}"}, app="accounts")["id"] for i in range(5)]
    rng = random.Random(5)

    def contracts(n: int) -> list[dict[str, Any]]:
        return [{"title": f"合同{i}", "customer": rng.choice(parents), "amount": str(rng.randint(0, 9999)),
                 **({"signed_on": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"} if rng.random() < 0.7 else {})}
                for i in range(n)]

    made: list[dict[str, Any]] = []
    for batch in (contracts(7), contracts(12)):
        r = make.client.post(make.url("contract", "accounts") + "/bulk", headers=make.admin, json={"items": batch})
        assert r.status_code == 201, r.text
        made += batch
    r = make.client.put("/api/v1/apps/accounts", json={"format": "tangram/app@1", "version": "1.0.1", **ACCOUNTS},
                        headers=make.admin)
    assert r.status_code == 200, r.text  # adds the count rollup: stored customers have no value for it yet
    last = contracts(9)
    assert make.client.post(make.url("contract", "accounts") + "/bulk", headers=make.admin,
                            json={"items": last}).status_code == 201
    made += last
    for pid in parents:
        mine = [c for c in made if c["customer"] == pid]
        data = _get(make, "customer", pid)
        assert data["contracts"] == str(len(mine))
        assert data["total"] == str(sum(int(c["amount"]) for c in mine))
        assert data.get("last_signed") == max((c["signed_on"] for c in mine if "signed_on" in c), default=None)
