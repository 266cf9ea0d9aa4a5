"""可能重复 in the import wizard's dry run, through the HTTP API (every backend): rows to create that the
form's duplicate rules match — a stored record or an earlier row of the same file — are flagged with the
matched record's title and counted apart; `warn` rules import them unless the user skips likely
duplicates, `block` rules fail the row, in the dry run and in the run alike."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from runtime.jobs.worker import run_due
from tests.runtime.io.test_import_wizard_api import _xlsx

APP: dict[str, Any] = {
    "format": "tangram/app@1",
    "key": "kh",
    "name": "客户管理",
    "version": "1.0.0",
    "forms": [
        {
            "key": "customer",
            "name": "客户",
            "title_field": "name",
            "fields": [
                {"key": "name", "type": "text", "label": "客户名称", "required": True},
                {"key": "code", "type": "text", "label": "统一社会信用代码"},
            ],
            "duplicate_rules": [
                {
                    "key": "similar_name",
                    "name": "客户名称相近",
                    "fields": [{"field": "name", "match": "company"}],
                    "threshold": 85,
                    "action": "warn",
                },
                {
                    "key": "same_code",
                    "name": "信用代码相同",
                    "fields": [{"field": "code", "match": "exact"}],
                    "action": "block",
                },
            ],
        },
    ],
}
BASE = "/api/v1/apps/kh/forms/customer/imports"
RECORDS = "/api/v1/apps/kh/forms/customer/records"
ROWS = [
    ["客户名称", "统一社会信用代码"],
    ["恒瑞精密机械(苏州)有限公司", ""],  # row 2: like the stored 苏州恒瑞精密机械有限公司 (warn)
    ["杭州云帆科技有限公司", "91330100MA2"],  # row 3
    ["云帆科技(杭州)有限公司", ""],  # row 4: like row 3 of the same file (warn)
    ["南京远大物流有限公司", "91320500X01"],  # row 5: the stored record's credit code (block)
    ["成都天府软件有限公司", ""],  # row 6: nothing like it
]


@pytest.fixture
def kh(make: Any) -> Any:
    make.app_def(APP)
    make.record("customer", {"name": "苏州恒瑞精密机械有限公司", "code": "91320500X01"}, app="kh")
    return make


def _dry_run(make: Any, **spec: Any) -> dict[str, Any]:
    run = make.client.post(BASE, headers=make.admin, files={"file": ("客户.xlsx", _xlsx(("客户", ROWS)), "x")})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    chosen = make.client.put(
        f"{BASE}/{run_id}/spec", json={"columns": {"0": "name", "1": "code"}, **spec}, headers=make.admin
    )
    assert chosen.status_code == 200, chosen.text
    checked = make.client.post(f"{BASE}/{run_id}/dry-run", headers=make.admin)
    assert checked.status_code == 200, checked.text
    return {"id": run_id, **checked.json()["result"]}


def _stored(make: Any) -> list[str]:
    return sorted(i["data"]["name"] for i in make.client.get(RECORDS, headers=make.admin).json()["items"])


def test_dry_run_flags_rows_like_stored_records_or_earlier_rows_and_blocks_the_block_rules(kh: Any) -> None:
    result = _dry_run(kh)
    assert result["counts"] == {"rows": 5, "new": 4, "updated": 0, "unchanged": 0, "failed": 1}
    assert result["duplicates"] == 3
    rows = {p["row"]: p for p in result["preview"]}
    [stored] = rows[2]["duplicates"]
    assert (stored["title"], stored["rule_name"], stored["action"], stored["row"]) == (
        "苏州恒瑞精密机械有限公司",
        "客户名称相近",
        "warn",
        None,
    )
    assert stored["url"] == f"/apps/kh/forms/customer/records/{stored['id']}"
    assert rows[2]["action"] == "new"  # warn: flagged, still imported
    [earlier] = rows[4]["duplicates"]
    assert (earlier["row"], earlier["title"], earlier["id"]) == (3, "杭州云帆科技有限公司", None)
    assert rows[5]["action"] == "failed" and "苏州恒瑞精密机械有限公司" in rows[5]["problems"]["code"]
    assert (rows[3]["duplicates"], rows[6]["duplicates"]) == ([], [])
    assert {i["code"] for i in result["issues"]} == {"duplicate_blocked"}


def test_skipping_likely_duplicates_fails_the_warned_rows_too(kh: Any) -> None:
    result = _dry_run(kh, skip_duplicates=True)
    assert result["counts"] == {"rows": 5, "new": 2, "updated": 0, "unchanged": 0, "failed": 3}
    assert {(i["row"], i["code"]) for i in result["issues"]} == {
        (2, "possible_duplicate"),
        (4, "possible_duplicate"),
        (5, "duplicate_blocked"),
    }


def test_the_run_skips_the_blocked_row_and_imports_the_warned_ones(kh: Any) -> None:
    result = _dry_run(kh, skip_bad=True)
    assert kh.client.post(f"{BASE}/{result['id']}/run", headers=kh.admin).status_code == 202
    run_due(kh.app.state.db, kh.app.state.settings, datetime.now(UTC))
    done = kh.client.get(f"{BASE}/{result['id']}", headers=kh.admin).json()
    assert done["status"] == "done" and done["result"]["counts"]["new"] == 4
    assert _stored(kh) == [
        "云帆科技(杭州)有限公司",
        "恒瑞精密机械(苏州)有限公司",
        "成都天府软件有限公司",
        "杭州云帆科技有限公司",
        "苏州恒瑞精密机械有限公司",
    ]


def test_a_blocked_row_refuses_the_whole_run_unless_bad_rows_are_skipped(kh: Any) -> None:
    result = _dry_run(kh)
    r = kh.client.post(f"{BASE}/{result['id']}/run", headers=kh.admin)
    assert r.status_code == 409 and _stored(kh) == ["苏州恒瑞精密机械有限公司"]


def test_an_upsert_row_that_renames_a_record_like_another_is_flagged_but_not_as_its_own_duplicate(kh: Any) -> None:
    other = kh.record("customer", {"name": "无锡新华机床有限公司", "code": "91320200Y02"}, app="kh")
    rows = [["客户名称", "统一社会信用代码"], ["恒瑞精密机械(苏州)有限公司", "91320200Y02"]]
    run = kh.client.post(BASE, headers=kh.admin, files={"file": ("客户.xlsx", _xlsx(("客户", rows)), "x")}).json()
    spec = {"columns": {"0": "name", "1": "code"}, "mode": "upsert", "key": ["code"]}
    assert kh.client.put(f"{BASE}/{run['id']}/spec", json=spec, headers=kh.admin).status_code == 200
    result = kh.client.post(f"{BASE}/{run['id']}/dry-run", headers=kh.admin).json()["result"]
    assert result["counts"]["updated"] == 1 and result["duplicates"] == 1
    [row] = result["preview"]
    # the stored 苏州恒瑞 by its name (warn); the record it updates shares its code but is itself, not a duplicate
    assert [(d["title"], d["rule"]) for d in row["duplicates"]] == [("苏州恒瑞精密机械有限公司", "similar_name")]
    assert other["id"] not in [d["id"] for d in row["duplicates"]]


def test_a_run_reusing_its_dry_run_checks_the_records_created_since(kh: Any) -> None:
    result = _dry_run(kh, skip_bad=True)
    assert result["counts"]["failed"] == 1  # row 5, the stored code
    kh.record("customer", {"name": "云帆控股", "code": "91330100MA2"}, app="kh")  # row 3's code, since the dry run
    assert kh.client.post(f"{BASE}/{result['id']}/run", headers=kh.admin).status_code == 202
    run_due(kh.app.state.db, kh.app.state.settings, datetime.now(UTC))
    done = kh.client.get(f"{BASE}/{result['id']}", headers=kh.admin).json()
    assert done["status"] == "done" and done["result"]["counts"]["new"] == 3
    assert {(i["row"], i["code"]) for i in done["result"]["issues"]} == {(3, "duplicate_blocked"), (5, "duplicate_blocked")}
    assert "杭州云帆科技有限公司" not in _stored(kh)


def test_an_importer_is_told_only_of_records_they_may_read(make: Any) -> None:
    """Row scope: the stored record is not the clerk's, so its warn match is not shown, and its block match
    fails the row without naming it — as the interactive check does (runtime/api/duplicates.py)."""
    clerk_role = {"key": "clerk", "name": "录入员",
                  "permissions": {"customer": {"create": True, "import": True, "read": "own", "update": "own"}}}
    make.app_def({**APP, "roles": [clerk_role]})
    make.record("customer", {"name": "苏州恒瑞精密机械有限公司", "code": "91320500X01"}, app="kh")
    clerk = make.user("lu.ru", admin=False)
    r = make.client.put("/api/v1/apps/kh/roles/clerk/members", json={"users": ["lu.ru"]}, headers=make.admin)
    assert r.status_code == 200, r.text
    run = make.client.post(BASE, headers=clerk, files={"file": ("客户.xlsx", _xlsx(("客户", ROWS)), "x")})
    assert run.status_code == 201, run.text
    url = f"{BASE}/{run.json()['id']}"
    assert make.client.put(f"{url}/spec", json={"columns": {"0": "name", "1": "code"}}, headers=clerk).status_code == 200
    checked = make.client.post(f"{url}/dry-run", headers=clerk)
    assert checked.status_code == 200, checked.text
    result = checked.json()["result"]
    assert "苏州恒瑞精密机械有限公司" not in checked.text and "信用代码相同" not in checked.text
    rows = {p["row"]: p for p in result["preview"]}
    assert rows[2]["duplicates"] == [] and rows[2]["action"] == "new"  # the warn match is not theirs to see
    assert rows[5]["action"] == "failed"  # the block still holds, naming nothing
    assert [(d["id"], d["title"], d["url"], d["rule"]) for d in rows[5]["duplicates"]] == [(None, None, None, None)]
    assert [d["row"] for d in rows[4]["duplicates"]] == [3]  # the file's own rows are the clerk's to see
