"""The import wizard over a file larger than a chunk (runtime/io/import_stream.py), through the HTTP API on
every backend: what a row needs of the rows above it is carried from chunk to chunk (business keys, unique
values, 可能重复), the run is still all or nothing, and the run publishes the rows its dry run checked,
whether it reuses the dry run's packed chunks or plans the file anew. Chunks of two rows (one for 可能重复),
staged a row per transaction, so that every case crosses chunks."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from runtime.db.tables import records
from runtime.io import checked_plans, import_stream, imports
from tests.runtime.io import test_import_duplicates_api as dup
from tests.runtime.io.test_import_wizard_api import (
    APP,
    BASE,
    COLUMNS,
    FIRST,
    LEVELS,
    ODD,
    _customers,
    _dry,
    _run,
    _spec,
    _upload,
    _xlsx,
)

MORE = [
    ["南京远大物流有限公司", "13600136000", "华东", "A类", 3000, "X-4"],  # row 5
    ["成都天府软件有限公司", "13500135000", "华北", "B类", 7000, "X-5"],  # row 6: alone in the last chunk
]


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_stream, "CHECK_ROWS", 2)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)


@pytest.fixture
def kh(make: Any, chunked: None) -> Any:
    make.app_def(APP)
    return make


def _import(make: Any, rows: list[list[Any]], **spec: Any) -> int:
    run = _upload(make, _xlsx(("客户", rows))).json()["id"]
    r = _spec(make, run, columns=COLUMNS, values=LEVELS, **spec)
    assert r.status_code == 200, r.text
    return int(run)


def _staged(make: Any) -> int:
    with make.app.state.db.read() as conn:
        return int(conn.scalar(select(func.count()).select_from(records).where(records.c.version == 0)))


def test_a_bad_row_in_the_last_chunk_at_run_time_imports_nothing_and_leaves_nothing_staged(kh: Any) -> None:
    run = _import(kh, FIRST + MORE)
    checked = _dry(kh, run).json()["result"]
    assert checked["counts"] == {"rows": 5, "new": 5, "updated": 0, "unchanged": 0, "failed": 0}
    assert [p["row"] for p in checked["preview"]] == [2, 3, 4, 5, 6]  # the preview spans the chunks
    kh.record("customer", {"name": "成都天府软件有限公司"}, app="kh")  # row 6's unique name, meanwhile
    done = _run(kh, run)
    assert done["status"] == "failed", done
    assert [(i["row"], i["field"], i["code"]) for i in done["result"]["issues"]] == [(6, "name", "unique_violation")]
    assert list(_customers(kh)) == ["成都天府软件有限公司"]  # none of the four chunks staged before it
    assert _staged(kh) == 0


def test_a_bad_row_in_the_last_chunk_fails_the_import_unless_bad_rows_are_skipped(kh: Any) -> None:
    bad = [*MORE[:1], ["成都天府软件有限公司", "13500135000", "华北", "B类", -1, "X-5"]]  # row 6: amount < 0
    run = _import(kh, FIRST + bad)
    checked = _dry(kh, run).json()["result"]
    assert checked["counts"] == {"rows": 5, "new": 4, "updated": 0, "unchanged": 0, "failed": 1}
    assert [(i["row"], i["field"]) for i in checked["issues"]] == [(6, "amount")]
    assert kh.client.post(f"{BASE}/{run}/run", headers=kh.admin).status_code == 409
    assert _customers(kh) == {} and _staged(kh) == 0
    _spec(kh, run, columns=COLUMNS, values=LEVELS, skip_bad=True)
    assert _dry(kh, run).status_code == 200
    done = _run(kh, run)
    assert done["status"] == "done" and done["done"] == 5, done
    assert done["result"]["counts"] == {"rows": 5, "new": 4, "updated": 0, "unchanged": 0, "failed": 1}
    assert sorted(_customers(kh)) == sorted(r[0] for r in FIRST[1:] + MORE[:1])


def test_a_unique_value_repeated_in_a_later_chunk_fails_that_row_naming_the_first(kh: Any) -> None:
    again = [*MORE[:1], ["苏州恒瑞精密机械有限公司", "13500135000", "华北", "B类", 7000, "X-5"]]  # row 6 = row 2
    checked = _dry(kh, _import(kh, FIRST + again)).json()["result"]
    assert checked["counts"]["failed"] == 1 and checked["counts"]["new"] == 4
    [issue] = checked["issues"]
    assert (issue["row"], issue["field"], issue["code"]) == (6, "name", "unique_violation")
    assert "第 2 行" in issue["message"]


def test_a_business_key_repeated_in_a_later_chunk_fails_that_row_naming_the_first(kh: Any) -> None:
    again = [*MORE[:1], ["杭州云帆科技有限公司", "13500135000", "华北", "C", 7000, "X-5"]]  # row 6: row 3's key
    checked = _dry(kh, _import(kh, FIRST + again, mode="upsert", key=["name"])).json()["result"]
    assert [(i["row"], i["field"], i["code"]) for i in checked["issues"]] == [(6, "name", "duplicate_key")]
    assert "第 3 行" in checked["issues"][0]["message"]


@pytest.mark.parametrize("reused", [True, False], ids=["dry-run-reused", "planned-anew"])
def test_the_run_publishes_the_rows_its_dry_run_checked_across_chunks(kh: Any, reused: bool) -> None:
    first = _import(kh, FIRST)
    _dry(kh, first)
    assert _run(kh, first)["status"] == "done"
    changed = [ODD, ["新疆天山矿业有限公司", "13300133000", "华北", "C", 1000, "X-9"],  # row 2: new
               ["苏州恒瑞精密机械有限公司", "138 0013 8000", "华东", "A类", 120000, "X-1"],  # row 3: unchanged
               ["杭州云帆科技有限公司", "13900139000", "华南", "B类", 90000, "X-2"],  # row 4: updated
               *MORE]  # rows 5 and 6: new
    run = _import(kh, changed, mode="upsert", key=["name"])
    checked = _dry(kh, run).json()["result"]
    expected = {"rows": 5, "new": 3, "updated": 1, "unchanged": 1, "failed": 0}
    assert checked["counts"] == expected
    if not reused:
        checked_plans.forget()  # as when the run is in another process than its dry run
    done = _run(kh, run)
    assert done["status"] == "done" and done["result"]["counts"] == expected and done["done"] == 5, done
    stored = _customers(kh)
    assert len(stored) == 6 and stored["杭州云帆科技有限公司"]["region"] == "华南"
    assert stored["杭州云帆科技有限公司"]["amount"] in (90000, "90000", "90000.00")
    assert stored["成都天府软件有限公司"]["level"] == "B" and stored["新疆天山矿业有限公司"]["level"] == "C"
    found = kh.client.get("/api/v1/apps/kh/forms/customer/records", params={"q": "天府"}, headers=kh.admin).json()
    assert [i["data"]["name"] for i in found["items"]] == ["成都天府软件有限公司"]  # searchable
    assert _staged(kh) == 0


@pytest.fixture
def one_row_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_stream, "CHECK_ROWS", 1)


def test_a_row_like_an_earlier_chunks_row_is_flagged_naming_it(make: Any, one_row_chunks: None) -> None:
    make.app_def(dup.APP)
    make.record("customer", {"name": "苏州恒瑞精密机械有限公司", "code": "91320500X01"}, app="kh")
    result = dup._dry_run(make)
    assert result["counts"] == {"rows": 5, "new": 4, "updated": 0, "unchanged": 0, "failed": 1}
    assert result["duplicates"] == 3
    rows = {p["row"]: p for p in result["preview"]}
    [earlier] = rows[4]["duplicates"]
    assert (earlier["row"], earlier["title"], earlier["id"]) == (3, "杭州云帆科技有限公司", None)
    assert rows[2]["duplicates"][0]["title"] == "苏州恒瑞精密机械有限公司"


def test_a_record_renamed_after_the_dry_run_under_a_later_chunks_key_has_the_run_plan_the_file_anew(kh: Any) -> None:
    first = _import(kh, FIRST + MORE)
    _dry(kh, first)
    assert _run(kh, first)["status"] == "done"
    again = [ODD, ["新疆天山矿业有限公司", "13300133000", "华北", "C", 1000, "X-9"],  # row 2: new (chunk 1)
             ["杭州云帆科技有限公司", "13900139000", "华南", "B类", 90000, "X-2"],  # row 3: updated (chunk 1)
             ["苏州恒瑞精密机械有限公司", "138 0013 8000", "华东", "B类", 120000, "X-1"],  # row 4: updated (chunk 2)
             ["成都天府软件有限公司", "13500135000", "华北", "C", 7000, "X-5"]]  # row 5: updated (chunk 2)
    run = _import(kh, again, mode="upsert", key=["name"])
    assert _dry(kh, run).json()["result"]["counts"]["updated"] == 3
    items = kh.client.get("/api/v1/apps/kh/forms/customer/records", params={"limit": 100}, headers=kh.admin).json()
    renamed = next(i for i in items["items"] if i["data"]["name"] == "成都天府软件有限公司")
    r = kh.client.patch(f"/api/v1/apps/kh/forms/customer/records/{renamed['id']}",
                        json={"data": {"name": "天府软件（已更名）"}}, headers=kh.admin)
    assert r.status_code == 200, r.text
    done = _run(kh, run)  # chunk 1 is staged from the dry run, chunk 2 no longer holds: planned anew
    assert done["status"] == "done", done
    assert done["result"]["counts"] == {"rows": 4, "new": 2, "updated": 2, "unchanged": 0, "failed": 0}
    stored = _customers(kh)
    assert stored["天府软件（已更名）"]["level"] == "B"  # left as it was
    assert stored["成都天府软件有限公司"]["level"] == "C" and stored["苏州恒瑞精密机械有限公司"]["level"] == "B"
    assert len(stored) == 7 and len([n for n in stored if n == "新疆天山矿业有限公司"]) == 1
    assert _staged(kh) == 0
