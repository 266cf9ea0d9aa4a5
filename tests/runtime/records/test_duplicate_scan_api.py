"""查重 in the background through the API: `POST …/duplicates/scan` queues one scan per form (a second start
joins it), `GET …/duplicates/scan` follows it, and `GET …/duplicates/groups` answers from what the last scan
stored: nothing before the first, merged or deleted records leave their group, a restricted reader sees only
what they may read, and a scan whose job died does not hold the form."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from runtime.db.tables import jobs
from runtime.jobs.worker import run_due
from tests.duplicate_setup import OWN, shop_with_rules
from tests.factories import Maker

BASE = "/api/v1/apps/shop/forms/customer"
URL = f"{BASE}/duplicates/groups"
SCAN = f"{BASE}/duplicates/scan"
HENGRUI = ("苏州恒瑞精密机械有限公司", "恒瑞精密机械(苏州)有限公司", "恒瑞精密机械（苏州）有限公司")
YUNFAN = ("杭州云帆科技有限公司", "云帆数据服务有限公司")


@pytest.fixture
def crm(make: Maker) -> dict[str, int]:
    definition = shop_with_rules([OWN])
    make.app_def(definition)
    items = [{"name": n} for n in HENGRUI] + [
        {"name": YUNFAN[0], "credit_code": "91330100MA2"},
        {"name": YUNFAN[1], "credit_code": "91330100ma2"},
        {"name": "成都天府软件有限公司"},
    ]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    return {i["data"]["name"]: i["id"] for i in r.json()["items"]}


def _work(make: Maker) -> int:
    return run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC))


def _scan_jobs(make: Maker) -> int:
    with make.app.state.db.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(jobs).where(jobs.c.kind == "duplicate_scan")) or 0)


def _names(body: dict[str, Any]) -> list[set[str]]:
    return [{x["title"] for x in g["records"]} for g in body["groups"]]


def test_before_the_first_scan_there_are_no_groups_and_the_scan_is_none(make: Maker, crm: dict[str, int]) -> None:
    body = make.client.get(URL, headers=make.admin).json()
    assert (body["groups"], body["total"]) == ([], 0)
    assert body["scan"] == {"status": "none", "progress": 0, "started_at": None, "generated_at": None}
    assert make.client.get(SCAN, headers=make.admin).json()["status"] == "none"


def test_a_scan_runs_in_the_background_and_its_groups_are_read_afterwards(make: Maker, crm: dict[str, int]) -> None:
    r = make.client.post(SCAN, headers=make.admin)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "queued" and r.json()["generated_at"] is None
    assert make.client.get(URL, headers=make.admin).json()["total"] == 0  # nothing stored until it has run
    assert _work(make) == 1
    scan = make.client.get(SCAN, headers=make.admin).json()
    assert scan["status"] == "done" and scan["progress"] == 100 and scan["generated_at"] is not None
    body = make.client.get(URL, headers=make.admin).json()
    assert _names(body) == [set(HENGRUI), set(YUNFAN)]
    assert body["scan"] == scan
    assert [g["size"] for g in make.client.get(URL, params={"offset": 1, "limit": 1}, headers=make.admin)
            .json()["groups"]] == [2]


def test_a_second_start_joins_the_scan_already_queued(make: Maker, crm: dict[str, int]) -> None:
    first = make.client.post(SCAN, headers=make.admin)
    second = make.client.post(SCAN, headers=make.admin)
    assert (first.status_code, second.status_code) == (202, 200)
    assert second.json() == first.json()
    assert _scan_jobs(make) == 1
    assert _work(make) == 1
    assert make.client.post(SCAN, headers=make.admin).status_code == 202  # done: the next start is a new scan
    assert _scan_jobs(make) == 2


def test_a_scan_whose_job_died_does_not_hold_the_form(make: Maker, crm: dict[str, int]) -> None:
    assert make.client.post(SCAN, headers=make.admin).status_code == 202
    with make.app.state.db.write() as conn:  # its worker was killed past its last attempt
        conn.execute(update(jobs).where(jobs.c.kind == "duplicate_scan").values(status="dead"))
    assert make.client.get(SCAN, headers=make.admin).json()["status"] == "failed"  # a page stops following it
    assert make.client.post(SCAN, headers=make.admin).status_code == 202
    assert _work(make) == 1
    assert make.client.get(SCAN, headers=make.admin).json()["status"] == "done"


def test_a_merged_group_is_gone_and_a_deleted_record_leaves_its_group(make: Maker, crm: dict[str, int]) -> None:
    make.client.post(SCAN, headers=make.admin)
    _work(make)
    survivor, *merged = (crm[n] for n in HENGRUI)
    r = make.client.post(f"{BASE}/merge", json={"survivor": survivor, "merged": merged}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert _names(make.client.get(URL, headers=make.admin).json()) == [set(YUNFAN)]
    assert make.client.delete(f"{make.url()}/{crm[YUNFAN[1]]}", headers=make.admin).status_code in (200, 204)
    body = make.client.get(URL, headers=make.admin).json()
    assert (body["groups"], body["total"]) == ([], 0)
    r = make.client.post(f"{make.url()}/{merged[0]}/restore", headers=make.admin)  # the merge undone
    assert r.status_code == 200, r.text
    assert _names(make.client.get(URL, headers=make.admin).json()) == [{HENGRUI[0], HENGRUI[1]}]


def test_a_restricted_reader_sees_the_stored_groups_through_their_rights(make: Maker, crm: dict[str, int]) -> None:
    rep = make.user("rep", admin=False)
    make.client.put("/api/v1/apps/shop/roles/rep/members", json={"users": ["rep"]}, headers=make.admin)
    mine = []
    for name in ("恒瑞精密机械有限公司", "恒瑞精密机械(苏州)公司", "杭州云帆科技公司"):
        r = make.client.post(make.url(), params={"allow_duplicates": "true"}, json={"data": {"name": name}}, headers=rep)
        assert r.status_code == 201, r.text
        mine.append(r.json()["id"])
    assert make.client.post(SCAN, headers=rep).status_code == 202  # any reader may ask for a new scan
    _work(make)
    admin = make.client.get(URL, headers=make.admin).json()
    assert {"恒瑞精密机械有限公司", "恒瑞精密机械(苏州)公司"} <= _names(admin)[0]  # found with everyone's records
    body = make.client.get(URL, headers=rep).json()
    assert body["total"] == 1  # 杭州云帆科技公司's group holds no other record of theirs
    [group] = body["groups"]
    assert [x["id"] for x in group["records"]] == mine[:2] and group["size"] == 2
    assert group["merge_url"] is None  # they may not delete
    assert set(body["scan"]) == {"status", "progress", "started_at", "generated_at"}  # no count of others' records


def test_the_scan_of_a_form_the_caller_cannot_see_is_a_404(make: Maker, crm: dict[str, int]) -> None:
    assert make.client.post(f"{BASE.replace('customer', 'nope')}/duplicates/scan", headers=make.admin).status_code == 404
    assert make.client.get(f"{BASE.replace('customer', 'nope')}/duplicates/scan", headers=make.admin).status_code == 404
    stranger = make.user("stranger", admin=False)
    assert make.client.post(SCAN, headers=stranger).status_code == 404
    assert _scan_jobs(make) == 0
