"""Record ids beyond what the database can hold are refused as bad input, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records import listing
from tests.factories import REPAIR


@pytest.mark.parametrize("value", [10**30, [1, 10**30], "99999999999999999999"])
def test_a_relation_to_an_id_too_large_for_the_database_is_a_422(make: Any, value: Any) -> None:
    make.app_def(REPAIR)
    pump = make.record("equipment", {"name": "水泵"}, "repair")
    field = "related" if isinstance(value, list) else "equipment"
    data = {"summary": "漏水", "equipment": pump["id"]} | {field: [pump["id"], value[1]] if field == "related" else value}
    r = make.client.post(make.url("ticket", "repair"), json={"data": data}, headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == [field]


def test_a_record_url_with_an_id_too_large_for_the_database_is_a_422_naming_it(make: Any) -> None:
    make.app_def()
    huge = 10**30
    for method, path in (("get", f"/{huge}"), ("get", f"/{huge}/history"), ("delete", f"/{huge}"),
                         ("post", f"/{huge}/restore")):
        r = make.client.request(method.upper(), make.url() + path, headers=make.admin)
        assert r.status_code == 422, (method, path, r.status_code, r.text)
        assert [d["path"] for d in r.json()["error"]["details"]] == ["path.record_id"]
    r = make.client.get(make.url(), params={"filter[id]": str(huge)}, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "id", r.text


def test_a_cursor_carrying_an_id_too_large_for_the_database_is_a_400(make: Any) -> None:
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    cursor = listing.encode_cursor([listing.SortKey("id", True)], [10**30])
    r = make.client.get(make.url(), params={"cursor": cursor}, headers=make.admin)
    assert r.status_code == 400, r.text


def test_ids_too_large_for_the_database_in_queries_and_bodies_are_refused_not_500(make: Any) -> None:
    """The audit and file filters, the `before` cursors of messages and flow instances, an app version,
    a selection's ids and an export's `ids=`: each a 4xx naming the parameter (schemathesis found
    them as 500s)."""
    make.app_def()
    make.record("customer", {"name": "甲公司"})
    huge = 10**30
    for path, params in (("/api/v1/audit", {"record": huge}), ("/api/v1/messages", {"before": huge}),
                         ("/api/v1/flow-instances", {"before": -huge}), ("/api/v1/files/f1", {"record": huge})):
        r = make.client.get(path, params=params, headers=make.admin)
        assert r.status_code == 422, (path, r.text)
        assert [d["path"] for d in r.json()["error"]["details"]] == [f"query.{next(iter(params))}"]
    base = "/api/v1/apps/shop/forms/customer/selection"
    for action, body in (("delete", {"ids": [1, huge]}), ("update", {"ids": [-huge], "data": {"note": "x"}})):
        r = make.client.post(f"{base}/{action}", json=body, headers=make.admin)
        assert r.status_code == 422, (action, r.text)
    for version in (huge, 2**31):  # versions are 32-bit in the database
        r = make.client.get(f"/api/v1/apps/shop/versions/{version}", headers=make.admin)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "path.version", r.text
    assert make.client.get("/api/v1/apps/shop/versions/2", headers=make.admin).status_code == 404
    r = make.client.get(f"{base}/export.csv", params={"ids": f"1,{huge}"}, headers=make.admin)
    assert r.status_code == 400 and r.json()["error"]["field"] == "ids", r.text
    assert make.client.get(make.url(), headers=make.admin).json()["items"][0]["data"]["name"] == "甲公司"
