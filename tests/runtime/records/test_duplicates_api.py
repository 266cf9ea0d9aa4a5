"""Duplicate rules through the API: the create and the edit refuse likely duplicates (warn: until the user
confirms; block: always), branches only inform, a draft is checked without being saved, deleted records and
the record itself are never candidates, and a reader sees no title of a record they may not read."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.apps import definitions
from runtime.records import duplicates
from runtime.records.context import FormRef
from tests.duplicate_setup import OWN, shop_with_rules
from tests.factories import Maker

HENGRUI = "苏州恒瑞精密机械有限公司"
RULES = [
    {"key": "similar_name", "name": "客户名称相近", "fields": [{"field": "name", "match": "company"}], "threshold": 85},
    {"key": "same_code", "name": "信用代码相同", "fields": [{"field": "credit_code"}], "action": "block"},
]


@pytest.fixture
def crm(make: Maker) -> dict[str, Any]:
    definition = shop_with_rules([OWN], RULES)
    make.app_def(definition)
    return make.record("customer", {"name": HENGRUI, "credit_code": "91320594MA1XXXXX0P"})


def _create(make: Maker, data: dict[str, Any], headers: dict[str, str] | None = None, **params: Any) -> Any:
    return make.client.post(make.url(), json={"data": data}, params=params, headers=headers or make.admin)


def _count(make: Maker) -> int:
    return len(make.client.get(make.url(), headers=make.admin).json()["items"])


def test_a_likely_duplicate_is_refused_with_its_candidates_until_confirmed(make: Maker, crm: dict[str, Any]) -> None:
    r = _create(make, {"name": "恒瑞精密机械(苏州)有限公司"})
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "possible_duplicates"
    [candidate] = error["duplicates"]
    assert (candidate["id"], candidate["title"], candidate["rule"], candidate["relation"]) == (
        crm["id"],
        HENGRUI,
        "similar_name",
        "duplicate",
    )
    assert candidate["url"] == f"/apps/shop/forms/customer/records/{crm['id']}"
    assert _count(make) == 1  # nothing written
    assert _create(make, {"name": "恒瑞精密机械(苏州)有限公司"}, allow_duplicates="true").status_code == 201


def test_a_branch_is_saved_without_a_warning(make: Maker, crm: dict[str, Any]) -> None:
    assert _create(make, {"name": f"{HENGRUI}上海分公司"}).status_code == 201


def test_a_block_rule_refuses_even_when_confirmed(make: Maker, crm: dict[str, Any]) -> None:
    r = _create(make, {"name": "另一家公司", "credit_code": "91320594ma1xxxxx0p"}, allow_duplicates="true")
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "duplicate_blocked"
    assert [d["id"] for d in r.json()["error"]["duplicates"]] == [crm["id"]]


def test_an_edit_into_a_duplicate_is_refused_and_an_unrelated_edit_is_not(make: Maker, crm: dict[str, Any]) -> None:
    other = _create(make, {"name": "无锡新华机床有限公司"}).json()
    url = f"{make.url()}/{other['id']}"
    r = make.client.patch(url, json={"data": {"name": "恒瑞精密机械（苏州）有限公司"}}, headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "possible_duplicates"
    assert make.client.get(url, headers=make.admin).json()["data"]["name"] == "无锡新华机床有限公司"
    dup = _create(make, {"name": "恒瑞精密机械有限公司"}, allow_duplicates="true").json()
    r = make.client.patch(f"{make.url()}/{dup['id']}", json={"data": {"note": "老客户"}}, headers=make.admin)
    assert r.status_code == 200  # a known duplicate can still be edited where the rules do not look


def test_a_record_is_not_its_own_duplicate(make: Maker, crm: dict[str, Any]) -> None:
    r = make.client.patch(f"{make.url()}/{crm['id']}", json={"data": {"name": f" {HENGRUI} "}}, headers=make.admin)
    assert r.status_code == 200, r.text


def test_a_deleted_record_is_no_candidate(make: Maker, crm: dict[str, Any]) -> None:
    assert make.client.delete(f"{make.url()}/{crm['id']}", headers=make.admin).status_code in (200, 204)
    assert _create(make, {"name": "恒瑞精密机械(苏州)有限公司"}).status_code == 201


def test_a_draft_is_checked_without_being_saved(make: Maker, crm: dict[str, Any]) -> None:
    branch = _create(make, {"name": f"{HENGRUI}上海分公司"}).json()
    r = make.client.post(
        "/api/v1/apps/shop/forms/customer/duplicates",
        json={"data": {"name": "恒瑞精密机械（苏州）有限公司", "amount": "not money"}},
        headers=make.admin,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert [d["id"] for d in body["duplicates"]] == [crm["id"]]
    assert [d["id"] for d in body["related"]] == [branch["id"]]
    assert body["blocked"] is False
    assert _count(make) == 2
    stored = make.client.get(
        "/api/v1/apps/shop/forms/customer/duplicates", params={"record_id": branch["id"]}, headers=make.admin
    ).json()
    assert [d["id"] for d in stored["related"]] == [crm["id"]] and stored["duplicates"] == []


def test_the_preview_answers_likely_duplicates_too(make: Maker, crm: dict[str, Any]) -> None:
    preview = f"{make.url()}/preview"
    r = make.client.post(preview, json={"data": {"name": "恒瑞精密机械（苏州）有限公司"}}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert [d["id"] for d in r.json()["duplicates"]] == [crm["id"]] and r.json()["blocked"] is False
    edited = make.client.post(preview, params={"record_id": crm["id"]}, json={"data": {"name": HENGRUI}},
                              headers=make.admin)
    assert edited.json()["duplicates"] == []  # the record being edited is not its own duplicate
    blocked = make.client.post(preview, json={"data": {"name": "别家", "credit_code": "91320594MA1XXXXX0P"}},
                               headers=make.admin).json()
    assert blocked["blocked"] is True and [d["id"] for d in blocked["duplicates"]] == [crm["id"]]
    rep = _rep(make)  # reads only their own customers: told of nothing they may not read
    hidden = make.client.post(preview, json={"data": {"name": "恒瑞精密机械(苏州)有限公司"}}, headers=rep)
    assert hidden.status_code == 200 and hidden.json()["duplicates"] == [] and HENGRUI not in hidden.text
    assert make.client.post(preview, params={"record_id": 999999}, json={"data": {}},
                            headers=make.admin).status_code == 404
    assert _count(make) == 1


def test_a_draft_with_a_bad_body_is_a_4xx(make: Maker, crm: dict[str, Any]) -> None:
    url = "/api/v1/apps/shop/forms/customer/duplicates"
    unknown = make.client.post(url, json={"data": {"name": HENGRUI, "nope": 1}}, headers=make.admin)
    assert unknown.status_code == 200  # as in the preview: left out, listed, the rest checked
    assert [i["path"] for i in unknown.json()["issues"]] == ["nope"]
    assert [d["id"] for d in unknown.json()["duplicates"]] == [crm["id"]]
    assert make.client.post(url, json={"data": {}, "extra": 1}, headers=make.admin).status_code == 422
    assert make.client.get(url, params={"record_id": 999999}, headers=make.admin).status_code == 404
    assert make.client.get(url, params={"record_id": "x"}, headers=make.admin).status_code == 422
    assert make.client.post(url, json={"data": {}, "record_id": 0}, headers=make.admin).status_code == 422


def _rep(make: Maker) -> dict[str, str]:
    rep = make.user("rep", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    return rep


def test_a_writer_is_not_warned_of_a_record_they_may_not_read(make: Maker, crm: dict[str, Any]) -> None:
    rep = _rep(make)  # reads only their own customers
    draft = make.client.post(
        "/api/v1/apps/shop/forms/customer/duplicates", json={"data": {"name": "恒瑞精密机械(苏州)有限公司"}}, headers=rep
    )
    assert draft.status_code == 200 and draft.json()["duplicates"] == [] and HENGRUI not in draft.text
    r = _create(make, {"name": "恒瑞精密机械(苏州)有限公司"}, headers=rep)
    assert r.status_code == 201, r.text


def test_a_block_on_a_record_the_writer_may_not_read_names_no_record(make: Maker, crm: dict[str, Any]) -> None:
    rep = _rep(make)
    r = _create(make, {"name": "另一家公司", "credit_code": "91320594MA1XXXXX0P"}, headers=rep)
    assert r.status_code == 409 and r.json()["error"]["code"] == "duplicate_blocked"
    assert r.json()["error"]["duplicates"] == []
    assert str(crm["id"]) not in r.json()["error"]["message"] and HENGRUI not in r.text
    assert _count(make) == 1


def test_the_check_reads_only_the_records_sharing_a_key(make: Maker, crm: dict[str, Any]) -> None:
    items = [{"name": f"无关贸易{i}有限公司"} for i in range(30)]
    assert make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin).status_code == 201
    with make.app.state.db.read() as conn:
        app, version = definitions.current(conn, "shop")
        ref = FormRef(app, version, app.form("customer"))
        found = duplicates.find(conn, ref, {"name": "恒瑞精密机械(苏州)有限公司"})
    assert [m.record_id for m in found] == [crm["id"]]
