"""查重 through the API: the groups of stored records that likely duplicate each other (as the form's last scan,
run by the job worker, found them), largest first, paged, each with its merge page; only records and rules the
caller may know of; records in other blocks are never compared (the groups come from the duplicate keys)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from runtime.jobs.worker import run_due
from tests.duplicate_setup import BLIND, OWN, shop_with_rules
from tests.factories import Maker

URL = "/api/v1/apps/shop/forms/customer/duplicates/groups"
SCAN = "/api/v1/apps/shop/forms/customer/duplicates/scan"


@pytest.fixture
def crm(make: Maker) -> dict[str, int]:
    definition = shop_with_rules([OWN, BLIND])
    make.app_def(definition)
    items = [
        {"name": "苏州恒瑞精密机械有限公司"},
        {"name": "恒瑞精密机械(苏州)有限公司"},
        {"name": "恒瑞精密机械（苏州）有限公司"},
        {"name": "苏州恒瑞精密机械有限公司上海分公司"},  # a branch: not a duplicate
        {"name": "杭州云帆科技有限公司", "credit_code": "91330100MA2"},
        {"name": "云帆数据服务有限公司", "credit_code": "91330100ma2"},  # the same code, another name
        {"name": "成都天府软件有限公司"},
    ]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    scan(make)
    return {i["data"]["name"]: i["id"] for i in r.json()["items"]}


def scan(make: Maker) -> None:
    """Find the groups again, as 重新查重 does: the scan queued, then run by the job worker."""
    r = make.client.post(SCAN, headers=make.admin)
    assert r.status_code == 202, r.text
    assert run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC)) >= 1
    assert make.client.get(SCAN, headers=make.admin).json()["status"] == "done"


def test_groups_come_largest_first_with_their_rules_and_merge_page(make: Maker, crm: dict[str, int]) -> None:
    r = make.client.get(URL, headers=make.admin)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2
    big, small = body["groups"]
    hengrui = sorted(crm[n] for n in ("苏州恒瑞精密机械有限公司", "恒瑞精密机械(苏州)有限公司", "恒瑞精密机械（苏州）有限公司"))
    assert [x["id"] for x in big["records"]] == hengrui and big["size"] == 3
    assert [x["key"] for x in big["rules"]] == ["similar_name"]
    assert big["merge_url"] == f"/apps/shop/forms/customer/merge?ids={','.join(map(str, hengrui))}"
    assert {x["title"] for x in small["records"]} == {"杭州云帆科技有限公司", "云帆数据服务有限公司"}
    assert [x["name"] for x in small["rules"]] == ["信用代码相同"]
    second = make.client.get(URL, params={"offset": 1, "limit": 1}, headers=make.admin).json()
    assert [g["size"] for g in second["groups"]] == [2] and second["total"] == 2


def test_a_deleted_record_leaves_its_group(make: Maker, crm: dict[str, int]) -> None:
    make.client.delete(f"{make.url()}/{crm['云帆数据服务有限公司']}", headers=make.admin)
    assert [g["size"] for g in make.client.get(URL, headers=make.admin).json()["groups"]] == [3]


def test_a_reader_sees_no_group_through_a_field_hidden_from_them(make: Maker, crm: dict[str, int]) -> None:
    clerk = make.user("clerk", admin=False)
    make.client.put("/api/v1/apps/shop/roles/clerk/members", json={"users": ["clerk"]}, headers=make.admin)
    body = make.client.get(URL, headers=clerk).json()
    assert [g["size"] for g in body["groups"]] == [3]  # the same credit code groups nothing for them
    assert body["groups"][0]["merge_url"] is None  # they may not update


def test_a_reader_sees_only_the_records_they_may_read(make: Maker, crm: dict[str, int]) -> None:
    rep = make.user("rep", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    body = make.client.get(URL, headers=rep).json()
    assert (body["groups"], body["total"], body["offset"], body["limit"]) == ([], 0, 0, 20)
    for name in ("恒瑞精密机械有限公司", "恒瑞精密机械(苏州)公司"):
        r = make.client.post(make.url(), params={"allow_duplicates": "true"}, json={"data": {"name": name}}, headers=rep)
        assert r.status_code == 201, r.text
    scan(make)  # one group of five now: the rep sees their two records in it, and no other
    [group] = make.client.get(URL, headers=rep).json()["groups"]
    assert {x["title"] for x in group["records"]} == {"恒瑞精密机械有限公司", "恒瑞精密机械(苏州)公司"}


def test_bad_paging_is_a_4xx(make: Maker, crm: dict[str, int]) -> None:
    assert make.client.get(URL, params={"limit": 0}, headers=make.admin).status_code == 422
    assert make.client.get(URL, params={"offset": -1}, headers=make.admin).status_code == 422
    assert make.client.get("/api/v1/apps/shop/forms/nope/duplicates/groups", headers=make.admin).status_code == 404
