"""History stores the changed fields per version and rebuilds whole versions (issue 28); an update's
audit entry names the fields and the version instead of copying their values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from runtime.crypto.fields import SEALED
from runtime.db.tables import audit_log, record_history
from runtime.records.history import DELTA, SNAPSHOT_EVERY, apply, delta, is_snapshot
from tests.runtime.records.test_lookups_rollups import ACCOUNTS


def _stored(make: Any, record_id: int) -> dict[int, dict[str, Any]]:
    """The history rows' data as the database holds them, by version."""
    with make.app.state.db.read() as conn:
        rows = conn.execute(select(record_history.c.version, record_history.c.data)
                            .where(record_history.c.record_id == record_id)).all()
    return {r.version: r.data for r in rows}


def test_a_record_updated_30_times_shows_every_version_exactly(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司", "note": "初次"})
    url = f"{make.url()}/{rec['id']}"
    seen = {1: rec["data"]}
    for i in range(2, 32):  # versions 2..31: updates of one or two fields, a field emptied and set again
        change: dict[str, Any] = {"amount": str(i)} if i % 3 else {"note": None if i % 2 else f"第 {i} 次", "level": "AB"[i % 2]}
        r = make.client.patch(url, json={"data": change}, headers=make.admin)
        assert r.status_code == 200 and r.json()["version"] == i, r.text
        seen[i] = r.json()["data"]
    assert make.client.delete(url, headers=make.admin).status_code == 200
    assert make.client.post(f"{url}/restore", headers=make.admin).status_code == 200
    items = make.client.get(f"{url}/history", headers=make.admin).json()["items"]
    assert [h["version"] for h in items] == list(range(1, 34))
    for h in items[:31]:
        assert h["data"] == seen[h["version"]], h["version"]
    assert items[31]["data"] == items[32]["data"] == seen[31]  # delete and restore change no field
    stored = _stored(make, rec["id"])
    assert [v for v, d in stored.items() if DELTA not in d] == [v for v in range(1, 34) if is_snapshot(v)] == [1, 17, 33]


def test_a_one_field_update_stores_only_that_field_and_the_api_shows_the_whole_version(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司", "region": "华东", "amount": 100, "note": "初次"})
    url = f"{make.url()}/{rec['id']}"
    assert make.client.patch(url, json={"data": {"note": "回访"}}, headers=make.admin).status_code == 200
    assert make.client.patch(url, json={"data": {"region": None}}, headers=make.admin).status_code == 200
    stored = _stored(make, rec["id"])
    assert stored[1] == {"name": "甲公司", "region": "华东", "amount": "100.00", "level": "C", "note": "初次"}
    assert stored[2] == {"note": "回访", DELTA: []}
    assert stored[3] in ({DELTA: ["region"]}, {"region": None, DELTA: []})  # emptied: removed or null
    items = make.client.get(f"{url}/history", headers=make.admin).json()["items"]
    assert items[1]["changed"] == ["note"]
    assert items[1]["data"] == {"name": "甲公司", "region": "华东", "amount": "100.00", "level": "C", "note": "回访"}
    assert items[2]["changed"] == ["region"] and items[2]["data"].get("region") is None
    assert items[2]["data"]["note"] == "回访"


def test_an_update_audit_entry_names_the_version_and_fields_and_the_api_shows_from_and_to(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司", "note": "初次"})
    url = f"{make.url()}/{rec['id']}"
    make.client.patch(url, json={"data": {"note": "回访", "amount": 5}}, headers=make.admin)
    with make.app.state.db.read() as conn:
        detail = conn.scalar(select(audit_log.c.detail).where(audit_log.c.action == "record.update"))
    assert detail == {"version": 2, "fields": ["amount", "note"]}  # no value: history has them
    entries = make.client.get(f"{url}/audit", headers=make.admin).json()["items"]
    assert entries[0]["detail"]["changed"] == {"amount": {"from": None, "to": "5.00"},
                                               "note": {"from": "初次", "to": "回访"}}
    listed = make.client.get("/api/v1/audit", params={"action": "record.update"}, headers=make.admin).json()
    assert listed["items"][0]["detail"]["changed"]["note"] == {"from": "初次", "to": "回访"}


def test_a_delta_rebuilds_the_version_it_came_from() -> None:
    before = {"a": 1, "b": "x", "c": [1, 2]}
    after = {"a": 1, "b": "y", "d": None}
    assert delta(before, after) == {"b": "y", "d": None, DELTA: ["c"]}
    assert apply(before, delta(before, after)) == after
    assert apply(before, after) == after  # a row stored whole stands alone
    assert is_snapshot(1) and is_snapshot(SNAPSHOT_EVERY + 1) and not is_snapshot(2)


def test_a_delta_of_sealed_data_carries_the_ciphertexts_of_its_values() -> None:
    """What migration 0024 sees without the key: blind indexes in the fields, ciphertexts under SEALED."""
    before = {"n": "甲", "id_card": "h1:aa", "phone": "h1:pp", SEALED: {"at": "a/f", "v": {"id_card": "c1", "phone": "p1"}}}
    after = {"n": "甲", "id_card": "h1:bb", SEALED: {"at": "a/f", "v": {"id_card": "c2"}}}
    step = delta(before, after)
    assert step == {"id_card": "h1:bb", SEALED: {"at": "a/f", "v": {"id_card": "c2"}}, DELTA: ["phone"]}
    assert apply(before, step) == after
    plain = {"n": "乙", "id_card": "h1:aa", SEALED: {"at": "a/f", "v": {"id_card": "c1"}}}
    assert apply(after, delta(after, plain)) == plain


def test_a_version_after_a_rollup_refresh_holds_the_refreshed_value(make: Any) -> None:
    """A rollup refreshed from a related record changes the customer with no version of its own; the
    next version's delta is taken from history, not from that row, so history shows the value it had."""
    make.app_def(ACCOUNTS)
    customers = make.url("customer", "accounts")
    a = make.record("customer", {"name": "甲"}, app="accounts")["id"]
    make.record("contract", {"title": "一", "customer": a, "amount": "5"}, app="accounts")
    r = make.client.patch(f"{customers}/{a}", json={"data": {"level": "A"}}, headers=make.admin)
    assert r.status_code == 200 and r.json()["data"]["total"] == "5"
    items = make.client.get(f"{customers}/{a}/history", headers=make.admin).json()["items"]
    assert [h["data"]["total"] for h in items] == ["0", "5"] and items[1]["changed"] == ["level"]
    assert items[1]["data"] == r.json()["data"]
