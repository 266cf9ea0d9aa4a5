"""The records API over HTTP: create, read, update with versions, delete, restore, history."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records.bulk import COPY_FROM, SQLITE_ROWS_PER_INSERT


def test_create_returns_201_with_id_version_and_normalised_data(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url(), json={"data": {"name": " 苏州恒瑞精密机械有限公司 ", "amount": "1,234.5"}},
                         headers=make.admin)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"] == 1 and isinstance(body["id"], int)
    assert body["data"] == {"name": "苏州恒瑞精密机械有限公司", "level": "C", "amount": "1234.50"}
    assert r.headers["ETag"] == '"1"'


def test_create_lists_every_failing_field_with_its_key(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url(), json={"data": {"region": "火星", "amount": "-5", "bogus": 1}}, headers=make.admin)
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert {d["path"] for d in error["details"]} == {"name", "region", "amount", "bogus"}


def test_english_messages_when_the_client_asks_for_them(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url(), json={"data": {}}, headers={**make.admin, "Accept-Language": "en-US"})
    assert r.json()["error"]["details"][0]["message"] == "'name' is required"


def test_get_unknown_app_form_or_record_is_404(make: Any) -> None:
    make.app_def()
    for url in ("/api/v1/apps/nope/forms/customer/records/1", make.url("nope") + "/1", make.url() + "/999"):
        r = make.client.get(url, headers=make.admin)
        assert r.status_code == 404, url
        assert r.json()["error"]["code"] == "not_found"


def test_patch_with_stale_if_match_is_412_and_changes_nothing(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司"})
    url = f"{make.url()}/{rec['id']}"
    r = make.client.patch(url, json={"data": {"note": "第一次"}}, headers={**make.admin, "If-Match": '"1"'})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.headers["ETag"] == '"2"'
    r = make.client.patch(url, json={"data": {"note": "过期的修改"}}, headers={**make.admin, "If-Match": '"1"'})
    assert r.status_code == 412
    assert r.json()["error"]["code"] == "version_mismatch"
    assert make.client.get(url, headers=make.admin).json()["data"]["note"] == "第一次"


def test_patch_without_change_keeps_the_version(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司", "amount": 10})
    r = make.client.patch(f"{make.url()}/{rec['id']}", json={"data": {"amount": "10.00"}}, headers=make.admin)
    assert r.json()["version"] == 1


def test_patch_blank_value_clears_the_field_but_required_stays_required(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司", "note": "x"})
    url = f"{make.url()}/{rec['id']}"
    assert "note" not in make.client.patch(url, json={"data": {"note": ""}}, headers=make.admin).json()["data"]
    r = make.client.patch(url, json={"data": {"name": None}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "name"


def test_delete_is_soft_and_restore_brings_it_back(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司"})
    url = f"{make.url()}/{rec['id']}"
    assert make.client.delete(url, headers=make.admin).status_code == 200
    assert make.client.get(url, headers=make.admin).status_code == 404
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []
    r = make.client.post(f"{url}/restore", headers=make.admin)
    assert r.status_code == 200 and r.json()["version"] == 3
    assert make.client.get(url, headers=make.admin).json()["data"]["name"] == "甲公司"


def test_history_lists_every_version_with_who_and_what_changed(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司"})
    url = f"{make.url()}/{rec['id']}"
    make.client.patch(url, json={"data": {"amount": 5, "region": "华东"}}, headers=make.admin)
    make.client.delete(url, headers=make.admin)
    items = make.client.get(f"{url}/history", headers=make.admin).json()["items"]
    assert [(h["version"], h["action"]) for h in items] == [(1, "create"), (2, "update"), (3, "delete")]
    assert items[1]["changed"] == ["amount", "region"] and items[1]["by"] == "admin"


def test_unique_field_gives_409_naming_the_field(make: Any) -> None:
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    r = make.client.post(make.url(), json={"data": {"name": "甲公司"}}, headers=make.admin)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "unique_violation" and error["details"][0]["path"] == "name"


def test_a_clash_of_one_record_names_the_field_and_value_and_leaves_nothing_behind(make: Any) -> None:
    """A single create or update writes without a savepoint: the error comes from the index alone,
    and the failed transaction is rolled back whole (on PostgreSQL it is aborted at the error)."""
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    second = make.record("customer", {"name": "乙公司"})
    for r, path in ((make.client.patch(f"{make.url()}/{second['id']}", json={"data": {"name": "甲公司"}},
                                       headers=make.admin), "name"),
                    (make.client.post(make.url() + "/bulk", json={"items": [{"name": "甲公司"}]},
                                      headers=make.admin), "items[0].name")):
        assert r.status_code == 409, r.text
        detail = r.json()["error"]["details"][0]
        assert detail["path"] == path and "甲公司" in detail["message"]
    names = sorted(i["data"]["name"] for i in make.client.get(make.url(), headers=make.admin).json()["items"])
    assert names == ["乙公司", "甲公司"]
    assert make.client.get(f"{make.url()}/{second['id']}", headers=make.admin).json()["version"] == 1
    assert make.record("customer", {"name": "丙公司"})["version"] == 1  # the connection is usable again


def test_unique_value_is_free_again_after_delete_and_restore_then_conflicts(make: Any) -> None:
    make.app_def()
    first = make.record("customer", {"name": "甲公司"})
    make.client.delete(f"{make.url()}/{first['id']}", headers=make.admin)
    make.record("customer", {"name": "甲公司"})
    r = make.client.post(f"{make.url()}/{first['id']}/restore", headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["details"][0]["path"] == "name"


def test_bulk_create_is_all_or_nothing_with_errors_per_item(make: Any) -> None:
    make.app_def()
    items = [{"name": "甲"}, {"name": "乙", "amount": "x"}, {"name": "丙"}, {}]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == ["items[1].amount", "items[3].name"]
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []


def test_bulk_create_refuses_duplicates_inside_the_batch(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url() + "/bulk", json={"items": [{"name": "甲"}, {"name": "甲"}]}, headers=make.admin)
    assert r.status_code == 409
    assert [d["path"] for d in r.json()["error"]["details"]] == ["items[1].name"]
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []


# The roads of bulk.write_rows: a few rows, COPY on PostgreSQL, and on SQLite more rows than one
# multi-row INSERT takes (the last statement shorter than the others).
ROADS = pytest.mark.parametrize("size", [2, COPY_FROM + 5, SQLITE_ROWS_PER_INSERT * 2 + 7],
                                ids=["insert", "copy", "statements"])


@ROADS
def test_bulk_create_both_insert_roads_refuse_a_stored_duplicate_and_keep_nothing(make: Any, size: int) -> None:
    # PostgreSQL writes a few rows with INSERT and many with COPY; each must report the clash the same way.
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    items = [{"name": f"客户{i}"} for i in range(size - 1)] + [{"name": "甲公司"}]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 409, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == [f"items[{size - 1}].name"]
    assert [i["data"]["name"] for i in make.client.get(make.url(), headers=make.admin).json()["items"]] == ["甲公司"]


@ROADS
def test_bulk_create_both_insert_roads_write_history_audit_and_search(make: Any, size: int) -> None:
    make.app_def()
    items = [{"name": f"苏州客户{i:03d}", "amount": i} for i in range(size)]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    last = r.json()["items"][-1]
    history = make.client.get(f"{make.url()}/{last['id']}/history", headers=make.admin).json()["items"]
    assert [(h["action"], h["changed"]) for h in history] == [("create", ["amount", "level", "name"])]
    audit = make.client.get("/api/v1/audit", params={"record": last["id"]}, headers=make.admin).json()["items"]
    assert [(a["action"], a["detail"]) for a in audit] == [("record.create", {"fields": ["amount", "level", "name"]})]
    found = make.client.get(make.url(), params={"q": f"客户{size - 1:03d}"}, headers=make.admin).json()["items"]
    assert [i["id"] for i in found] == [last["id"]]


@ROADS
def test_bulk_create_returns_items_in_order(make: Any, size: int) -> None:
    make.app_def()
    r = make.client.post(make.url() + "/bulk", json={"items": [{"name": f"客户{i}"} for i in range(size)]},
                         headers=make.admin)
    assert r.status_code == 201
    created = r.json()["items"]
    assert [i["data"]["name"] for i in created] == [f"客户{i}" for i in range(size)]
    stored = {make.client.get(f"{make.url()}/{i['id']}", headers=make.admin).json()["data"]["name"]
              for i in created[-2:]}  # the rows of the last, shorter statement are there as returned
    assert stored == {f"客户{size - 2}", f"客户{size - 1}"}


def test_idempotency_key_replays_the_first_answer_and_creates_nothing_new(make: Any) -> None:
    make.app_def()
    headers = {**make.admin, "Idempotency-Key": "order-42"}
    first = make.client.post(make.url(), json={"data": {"name": "甲公司"}}, headers=headers)
    again = make.client.post(make.url(), json={"data": {"name": "甲公司"}}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(make.client.get(make.url(), headers=make.admin).json()["items"]) == 1
    other = make.client.post(make.url(), json={"data": {"name": "乙公司"}}, headers=headers)
    assert other.status_code == 409


def test_every_route_but_login_and_health_needs_a_token(make: Any) -> None:
    make.app_def()
    assert make.client.get("/api/v1/health").status_code == 200
    r = make.client.get(make.url())
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = make.client.get(make.url(), headers={"Authorization": "Bearer tg_forged"})
    assert r.status_code == 401


def test_login_with_a_wrong_password_or_unknown_user_says_the_same(make: Any) -> None:
    make.user("admin")
    same_id = {"X-Request-ID": "login-probe"}  # else the bodies differ by their request_id alone
    wrong = make.client.post("/api/v1/auth/login", json={"username": "admin", "password": "nope-nope"}, headers=same_id)
    ghost = make.client.post("/api/v1/auth/login", json={"username": "ghost", "password": "nope-nope"}, headers=same_id)
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.json() == ghost.json()
