"""A selection of records: bulk update and delete all or nothing, CSV export of what was chosen."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from tests.factories import Maker

SEL = "/api/v1/apps/shop/forms/customer/selection"


def _three(make: Maker) -> list[int]:
    make.app_def()
    return [make.record("customer", {"name": n, "level": "C"})["id"] for n in ("甲", "乙", "丙")]


def test_bulk_update_sets_the_value_on_every_selected_record(make: Maker, client: TestClient) -> None:
    ids = _three(make)
    r = client.post(f"{SEL}/update", json={"ids": ids[:2], "data": {"level": "A"}}, headers=make.admin)
    assert r.status_code == 200 and r.json()["updated"] == 2
    levels = {i["id"]: i["data"]["level"] for i in client.get(make.url(), headers=make.admin).json()["items"]}
    assert levels == {ids[0]: "A", ids[1]: "A", ids[2]: "C"}
    history = client.get(f"{make.url()}/{ids[0]}/history", headers=make.admin).json()["items"]
    assert history[-1]["changed"] == ["level"]


def test_bulk_update_with_one_bad_record_changes_none(make: Maker, client: TestClient) -> None:
    ids = _three(make)
    r = client.post(f"{SEL}/update", json={"ids": [ids[0], 999999], "data": {"level": "A"}}, headers=make.admin)
    assert r.status_code == 404 and r.json()["error"]["record_id"] == 999999
    r = client.post(f"{SEL}/update", json={"ids": ids, "data": {"level": "Z"}}, headers=make.admin)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "items[0].level"
    r = client.post(f"{SEL}/update", json={"ids": ids[:2], "data": {"name": "同名"}}, headers=make.admin)
    assert r.status_code == 409  # name is unique: the second record would collide with the first
    levels = [i["data"]["level"] for i in client.get(make.url(), headers=make.admin).json()["items"]]
    names = sorted(i["data"]["name"] for i in client.get(make.url(), headers=make.admin).json()["items"])
    assert levels == ["C", "C", "C"] and names == sorted(["甲", "乙", "丙"])


def test_bulk_delete_removes_all_or_none(make: Maker, client: TestClient) -> None:
    ids = _three(make)
    assert client.post(f"{SEL}/delete", json={"ids": [ids[0], 424242]}, headers=make.admin).status_code == 404
    assert len(client.get(make.url(), headers=make.admin).json()["items"]) == 3
    r = client.post(f"{SEL}/delete", json={"ids": ids[:2]}, headers=make.admin)
    assert r.json() == {"deleted": 2}
    assert [i["id"] for i in client.get(make.url(), headers=make.admin).json()["items"]] == [ids[2]]


def test_selection_needs_ids_in_range(make: Maker, client: TestClient) -> None:
    make.app_def()
    assert client.post(f"{SEL}/delete", json={"ids": []}, headers=make.admin).status_code == 422
    assert client.post(f"{SEL}/delete", json={"ids": list(range(1, 1002))}, headers=make.admin).status_code == 422
    assert client.get(f"{SEL}/export.csv", params={"ids": "1,x"}, headers=make.admin).status_code == 400
    assert client.get(f"{SEL}/export.csv", params={"ids": ""}, headers=make.admin).status_code == 400


def test_export_is_a_csv_of_the_selected_records_with_labels(make: Maker, client: TestClient) -> None:
    make.app_def()
    first = make.record("customer", {"name": "华东客户", "amount": "1234.5", "since": "2026-01-02"})
    make.record("customer", {"name": "不导出"})
    r = client.get(f"{SEL}/export.csv", params={"ids": str(first["id"])}, headers=make.admin)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["客户名称", "地区"]  # the records export's own format: fields by label
    assert rows[1][0] == "华东客户" and "1234.50" in rows[1]
    assert len(rows) == 2
