"""回收站 over HTTP (every backend): the bin API and page list a form's deleted records newest deletion
first with who deleted them, search them, take the restore (delete) right and its row scope, and show a
merged record's survivor with 撤销合并; restoring through the records API takes a record out of the bin."""

from __future__ import annotations

import base64
import json
import re

import pytest
from fastapi.testclient import TestClient

from runtime.apps import definitions
from runtime.cli import CRM_TEMPLATE
from runtime.records import recycle_bin
from tests.factories import Maker, shop
from tests.plans import plan

BIN = "/api/v1/apps/shop/forms/customer/bin"
PAGE = "/apps/shop/forms/customer/bin"


def _session(make: Maker, client: TestClient, username: str = "admin", admin: bool = True) -> None:
    make.user(username, admin=admin)
    r = client.post("/login", data={"username": username, "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303


def _delete(make: Maker, record_id: int, who: dict[str, str] | None = None) -> None:
    r = make.client.delete(f"{make.url()}/{record_id}", headers=who or make.admin)
    assert r.status_code == 200, r.text


def _bin_rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_the_bin_lists_deleted_records_newest_deletion_first_with_who_deleted_them(
    make: Maker, client: TestClient
) -> None:
    make.app_def()
    first, kept, second = (make.record("customer", {"name": n})["id"] for n in ("华信机电", "东方重工", "南方物流"))
    _delete(make, first)
    _delete(make, second)
    body = make.client.get(BIN, headers=make.admin).json()
    assert [(i["id"], i["data"]["name"], i["deleted_by"], i["merged_into"]) for i in body["items"]] == [
        (second, "南方物流", "admin", None),
        (first, "华信机电", "admin", None),
    ]
    assert all(i["deleted_at"].endswith("Z") for i in body["items"])
    _session(make, client)
    html = client.get(PAGE).text
    assert _bin_rows(html) == [second, first] and "删除人" in html and "东方重工" not in html
    assert kept not in _bin_rows(html)


def test_the_bin_is_searched_and_paged(make: Maker, client: TestClient) -> None:
    make.app_def()
    ids = [make.record("customer", {"name": f"客户{i}号"})["id"] for i in range(3)]
    other = make.record("customer", {"name": "华信机电"})["id"]
    for record_id in [*ids, other]:
        _delete(make, record_id)
    assert [i["id"] for i in make.client.get(BIN, params={"q": "华信"}, headers=make.admin).json()["items"]] == [other]
    first = make.client.get(BIN, params={"q": "客户", "limit": 2}, headers=make.admin).json()
    rest = make.client.get(BIN, params={"q": "客户", "limit": 2, "cursor": first["next_cursor"]}, headers=make.admin)
    assert [i["id"] for i in first["items"] + rest.json()["items"]] == ids[::-1] and rest.json()["next_cursor"] is None
    _session(make, client)
    assert _bin_rows(client.get(PAGE, params={"q": "华信"}).text) == [other]


def test_the_bin_is_searched_by_pinyin_too(make: Maker, client: TestClient) -> None:
    make.app_def()
    gone = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"})["id"]
    make.record("customer", {"name": "苏州华信机电有限公司"})
    _delete(make, gone)
    for asked in ("szhr", "hengrui", "苏州hr"):
        found = make.client.get(BIN, params={"q": asked}, headers=make.admin).json()["items"]
        assert [i["id"] for i in found] == [gone], asked
    assert make.client.get(BIN, params={"q": "hxjd"}, headers=make.admin).json()["items"] == []  # live, not in the bin


def test_the_bin_reads_deleted_records_through_their_own_index(make: Maker) -> None:
    make.app_def()
    for i in range(5):
        _delete(make, make.record("customer", {"name": f"客户{i}号"})["id"])
    with make.app.state.db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        query = recycle_bin.BinQuery(None, None, (), 50, None)
        found = plan(conn, recycle_bin.bin_select(conn, ref, query))
    assert "ix_records_form_deleted" in found, found


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        base64.urlsafe_b64encode(b"2026-12-01T08:00:00+00:00|99999999999999999999").decode(),  # beyond 64 bits
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not UTF-8
    ],
    ids=["garbage", "huge-id", "not-utf8"],
)
def test_a_bad_cursor_is_a_400_naming_it(make: Maker, client: TestClient, cursor: str) -> None:
    make.app_def()
    r = make.client.get(BIN, params={"cursor": cursor}, headers=make.admin)
    assert r.status_code == 400 and "cursor" in r.text
    _session(make, client)
    assert client.get(PAGE, params={"cursor": cursor}).status_code == 400


def test_a_restored_record_leaves_the_bin(make: Maker, client: TestClient) -> None:
    make.app_def()
    record_id = make.record("customer", {"name": "华信机电"})["id"]
    _delete(make, record_id)
    assert make.client.post(f"{make.url()}/{record_id}/restore", headers=make.admin).status_code == 200
    assert make.client.get(BIN, headers=make.admin).json()["items"] == []
    _session(make, client)
    assert "回收站是空的" in client.get(PAGE).text


def test_the_bin_takes_the_delete_right_and_its_row_scope(make: Maker, client: TestClient) -> None:
    make.app_def(
        shop(
            roles=[
                {"key": "reader", "name": "只读", "permissions": {"customer": {"read": "all"}}},
                {
                    "key": "rep",
                    "name": "代表",
                    "permissions": {"customer": {"create": True, "read": "all", "delete": "own"}},
                },
            ]
        )
    )
    reader, rep = make.user("du", admin=False), make.user("rep", admin=False)
    for role, who in (("reader", "du"), ("rep", "rep")):
        make.client.put(f"/api/v1/apps/shop/roles/{role}/members", json={"users": [who]}, headers=make.admin)
    mine = make.client.post(make.url(), json={"data": {"name": "代表的客户"}}, headers=rep).json()["id"]
    theirs = make.record("customer", {"name": "管理员的客户"})["id"]
    _delete(make, mine, rep)
    _delete(make, theirs)
    assert make.client.get(BIN, headers=reader).status_code == 403
    assert [i["id"] for i in make.client.get(BIN, headers=rep).json()["items"]] == [mine]
    _session(make, client, "du", admin=False)
    assert client.get(PAGE).status_code == 403
    assert 'id="bin-link"' not in client.get("/apps/shop/forms/customer").text
    _session(make, client, "rep", admin=False)
    assert _bin_rows(client.get(PAGE).text) == [mine]
    assert 'id="bin-link"' in client.get("/apps/shop/forms/customer").text


def test_a_merged_record_shows_its_survivor_and_undo_until_restored(make: Maker, client: TestClient) -> None:
    make.app_def(json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")))
    base = "/api/v1/apps/crm/forms/customer"
    keep = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")["id"]
    other = make.client.post(
        f"{base}/records",
        params={"allow_duplicates": "true"},
        headers=make.admin,
        json={"data": {"name": "恒瑞精密机械(苏州)有限公司"}},
    ).json()["id"]
    r = make.client.post(f"{base}/merge", json={"survivor": keep, "merged": [other]}, headers=make.admin)
    assert r.status_code == 200, r.text
    [item] = make.client.get(f"{base}/bin", headers=make.admin).json()["items"]
    assert (item["id"], item["merged_into"]) == (
        other,
        {"survivor_id": keep, "title": "苏州恒瑞精密机械有限公司", "url": f"/apps/crm/forms/customer/records/{keep}"},
    )
    _session(make, client)
    html = client.get("/apps/crm/forms/customer/bin").text
    assert f'已合并到 <a href="/apps/crm/forms/customer/records/{keep}">苏州恒瑞精密机械有限公司</a>' in html
    assert "撤销合并" in html
    assert make.client.post(f"{base}/records/{other}/restore", headers=make.admin).status_code == 200
    assert make.client.get(f"{base}/bin", headers=make.admin).json()["items"] == []
