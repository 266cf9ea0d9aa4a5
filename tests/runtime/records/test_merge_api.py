"""Merging customers through the API (CRM template): the survivor takes the picked values, contacts,
opportunities and follow-ups move to it, the merged one goes to the bin with a link to the survivor,
restoring it from the bin puts everything back; audited; bad requests are 4xx and change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime.cli import CRM_TEMPLATE
from tests.factories import Maker

BASE = "/api/v1/apps/crm/forms"


@pytest.fixture
def crm(make: Maker) -> dict[str, Any]:
    make.app_def(json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    keep = make.record("customer", {"name": "苏州恒瑞精密机械有限公司", "phone": "0512-66668888"}, app="crm")
    other = make.client.post(
        f"{BASE}/customer/records",
        params={"allow_duplicates": "true"},
        headers=make.admin,
        json={
            "data": {
                "name": "恒瑞精密机械(苏州)有限公司",
                "phone": "0512-66660000",
                "website": "https://hengrui.example.cn",
            }
        },
    ).json()
    contacts = [
        make.record("contact", {"name": n, "customer": c["id"]}, app="crm")["id"]
        for n, c in (("张伟", keep), ("李娜", other), ("王强", other))
    ]
    deal = make.record("opportunity", {"name": "数控机床采购", "customer": other["id"]}, app="crm")["id"]
    visit = make.record(
        "followup",
        {"summary": "上门拜访", "customer": other["id"], "followed_at": "2026-12-01T10:00:00+08:00"},
        app="crm",
    )["id"]
    return {"keep": keep["id"], "other": other["id"], "contacts": contacts, "deal": deal, "visit": visit}


def _get(make: Maker, form: str, record_id: int) -> dict[str, Any]:
    r = make.client.get(f"{BASE}/{form}/records/{record_id}", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


def _customer_of(make: Maker, form: str, record_id: int) -> int:
    return _get(make, form, record_id)["customer"]["id"]  # type: ignore[no-any-return]


def _merge(make: Maker, body: dict[str, Any]) -> Any:
    return make.client.post(f"{BASE}/customer/merge", json=body, headers=make.admin)


def test_a_merge_moves_references_and_values_to_the_survivor(make: Maker, crm: dict[str, Any]) -> None:
    keep, other = crm["keep"], crm["other"]
    r = _merge(make, {"survivor": keep, "merged": [other], "values": {"phone": other, "website": other}})
    assert r.status_code == 200, r.text
    data = r.json()["survivor"]["data"]
    assert (data["name"], data["phone"], data["website"]) == (
        "苏州恒瑞精密机械有限公司",
        "0512-66660000",
        "https://hengrui.example.cn",
    )
    assert {_customer_of(make, "contact", c) for c in crm["contacts"]} == {keep}
    assert _customer_of(make, "opportunity", crm["deal"]) == keep
    assert _customer_of(make, "followup", crm["visit"]) == keep
    assert make.client.get(f"{BASE}/customer/records/{other}", headers=make.admin).status_code == 404  # in the bin
    link = make.client.get(f"{BASE}/customer/merges/{other}", headers=make.admin).json()
    assert (link["survivor_id"], link["url"]) == (keep, f"/apps/crm/forms/customer/records/{keep}")
    audit = make.client.get("/api/v1/audit", params={"action": "record.merge"}, headers=make.admin).json()
    assert [(e["record_id"], e["detail"]["merged"]) for e in audit["items"]] == [(keep, [other])]


def test_restoring_a_merged_record_from_the_bin_undoes_its_merge(make: Maker, crm: dict[str, Any]) -> None:
    keep, other = crm["keep"], crm["other"]
    assert _merge(make, {"survivor": keep, "merged": [other], "values": {"phone": other}}).status_code == 200
    r = make.client.post(f"{BASE}/customer/records/{other}/restore", headers=make.admin)
    assert r.status_code == 200, r.text
    assert [_customer_of(make, "contact", c) for c in crm["contacts"]] == [keep, other, other]
    assert _customer_of(make, "opportunity", crm["deal"]) == other
    assert _get(make, "customer", keep)["phone"] == "0512-66668888"  # its own number back
    assert make.client.get(f"{BASE}/customer/merges/{other}", headers=make.admin).status_code == 404
    audit = make.client.get("/api/v1/audit", params={"action": "record.unmerge"}, headers=make.admin).json()
    assert [e["record_id"] for e in audit["items"]] == [other]


def test_an_undo_leaves_what_was_changed_after_the_merge(make: Maker, crm: dict[str, Any]) -> None:
    keep, other = crm["keep"], crm["other"]
    assert _merge(make, {"survivor": keep, "merged": [other], "values": {"phone": other}}).status_code == 200
    moved = crm["contacts"][1]
    make.client.patch(f"{BASE}/customer/records/{keep}", json={"data": {"phone": "13900001111"}}, headers=make.admin)
    third = make.record("customer", {"name": "无锡新华机床有限公司"}, app="crm")["id"]
    make.client.patch(f"{BASE}/contact/records/{moved}", json={"data": {"customer": third}}, headers=make.admin)
    assert make.client.post(f"{BASE}/customer/records/{other}/restore", headers=make.admin).status_code == 200
    assert _get(make, "customer", keep)["phone"] == "13900001111"
    assert _customer_of(make, "contact", moved) == third
    assert _customer_of(make, "contact", crm["contacts"][2]) == other


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"survivor": 1, "merged": [1]}, 400),  # the survivor merged into itself
        ({"survivor": 1, "merged": []}, 422),
        ({"survivor": 1, "merged": [2], "values": {"nope": 2}}, 400),
        ({"survivor": 1, "merged": [2], "values": {"code": 2}}, 400),  # an auto number is not picked
        ({"survivor": 1, "merged": [2], "values": {"phone": 99}}, 400),  # a source outside the merge
        ({"survivor": 1, "merged": [999999]}, 404),
        ({"survivor": 1, "merged": [2], "extra": 1}, 422),
        ({"survivor": 1, "merged": [2**63]}, 422),  # beyond 64 bits: refused before the database
    ],
    ids=["itself", "none", "unknown-field", "computed-field", "foreign-source", "missing", "extra-key", "huge-id"],
)
def test_a_bad_merge_is_a_4xx_and_changes_nothing(
    make: Maker, crm: dict[str, Any], body: dict[str, Any], status: int
) -> None:
    body = json.loads(json.dumps(body).replace(": 1,", f": {crm['keep']},").replace("[2]", f"[{crm['other']}]"))
    r = _merge(make, body)
    assert r.status_code == status, r.text
    assert _customer_of(make, "contact", crm["contacts"][1]) == crm["other"]
    assert make.client.get(f"{BASE}/customer/records/{crm['other']}", headers=make.admin).status_code == 200


def test_a_merge_needs_the_right_to_delete_the_merged_records(make: Maker, crm: dict[str, Any]) -> None:
    make.user("viewer", admin=False)
    r = make.client.post(
        f"{BASE}/customer/merge",
        json={"survivor": crm["keep"], "merged": [crm["other"]]},
        headers=make.user("viewer", admin=False),
    )
    assert r.status_code in (403, 404)
    assert _customer_of(make, "contact", crm["contacts"][1]) == crm["other"]


def _history(make: Maker, record_id: int) -> list[dict[str, Any]]:
    r = make.client.get(f"{BASE}/customer/records/{record_id}/history", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def test_the_merged_records_history_shows_on_the_survivor_until_the_merge_is_undone(
    make: Maker, crm: dict[str, Any]
) -> None:
    keep, other = crm["keep"], crm["other"]
    url = f"{BASE}/customer/records/{other}"
    assert make.client.patch(url, json={"data": {"website": "https://hr.example.cn"}}, headers=make.admin).status_code == 200
    assert _merge(make, {"survivor": keep, "merged": [other]}).status_code == 200
    shown = _history(make, keep)
    theirs = [h for h in shown if h["merged_from"] == other]
    assert [(h["version"], h["action"]) for h in theirs] == [(1, "create"), (2, "update"), (3, "delete")]
    assert [h["merged_from"] for h in shown if h["merged_from"] is None] and shown == sorted(shown, key=lambda h: h["at"])
    assert theirs[1]["data"]["website"] == "https://hr.example.cn"
    assert make.client.post("/login", data={"username": "admin", "password": "password-123"}).status_code == 200
    page = make.client.get(f"/apps/crm/forms/customer/records/{keep}")
    assert f"来自合并的记录 #{other}" in page.text
    assert make.client.post(f"{url}/restore", headers=make.admin).status_code == 200
    assert all(h["merged_from"] is None for h in _history(make, keep))
    assert [h["action"] for h in _history(make, other)] == ["create", "update", "delete", "restore"]
