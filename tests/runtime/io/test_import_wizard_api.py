"""The import wizard through the HTTP API: upload, sheet and header row, mapping by synonyms, value mapping,
dry run, background run, upsert and update by a business key, skipping bad rows, the error report and the
template."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from runtime.jobs.worker import run_due

APP: dict[str, Any] = {
    "format": "tangram/app@1", "key": "kh", "name": "客户管理", "version": "1.0.0",
    "forms": [
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "客户名称", "required": True, "unique": True},
            {"key": "phone", "type": "phone", "label": "联系电话"},
            {"key": "region", "type": "select", "label": "地区", "options": ["华东", "华南", "华北"]},
            {"key": "level", "type": "select", "label": "等级", "options": ["A", "B", "C"]},
            {"key": "amount", "type": "money", "label": "成交金额", "min": 0},
            {"key": "code", "type": "text", "label": "统一社会信用代码", "unique": True},
        ]},
        {"key": "contact", "name": "联系人", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "姓名", "required": True},
            {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
        ]},
    ],
    "roles": [
        {"key": "clerk", "name": "录入员", "permissions": {"customer": {
            "create": True, "read": "all", "update": False, "import": True}}},
    ],
}
BASE = "/api/v1/apps/kh/forms/customer/imports"
RECORDS = "/api/v1/apps/kh/forms/customer/records"
ODD = ["公司名称", "手机", "所在地区", "客户级别", "金额（元）", "内部编号"]
SEEN = ["公司名称", "手机", "所在地区", "客户级别", "金额(元)", "内部编号"]  # as read: full width folded
FIRST = [
    ODD,
    ["苏州恒瑞精密机械有限公司", "138 0013 8000", "华东", "A类", 120000, "X-1"],
    ["杭州云帆科技有限公司", "13900139000", "华东", "B类", 80000, "X-2"],
    ["深圳南山贸易有限公司", "13700137000", "华南", "C", 5000, "X-3"],
]


def _xlsx(*sheets: tuple[str, list[list[Any]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def kh(make: Any) -> Any:
    make.app_def(APP)
    return make


def _upload(make: Any, content: bytes, name: str = "客户.xlsx", headers: Any = None) -> Any:
    return make.client.post(BASE, headers=headers or make.admin,
                            files={"file": (name, content, "application/octet-stream")})


def _spec(make: Any, run: int, headers: Any = None, **spec: Any) -> Any:
    return make.client.put(f"{BASE}/{run}/spec", json=spec, headers=headers or make.admin)


def _dry(make: Any, run: int, headers: Any = None) -> Any:
    return make.client.post(f"{BASE}/{run}/dry-run", headers=headers or make.admin)


def _run(make: Any, run: int) -> dict[str, Any]:
    r = make.client.post(f"{BASE}/{run}/run", headers=make.admin)
    assert r.status_code == 202, r.text
    run_due(make.app.state.db, make.app.state.settings, datetime.now(UTC))
    shown = make.client.get(f"{BASE}/{run}", headers=make.admin).json()
    assert shown["status"] in ("done", "failed"), shown
    return shown


def _customers(make: Any) -> dict[str, dict[str, Any]]:
    items = make.client.get(RECORDS, params={"limit": 100}, headers=make.admin).json()["items"]
    return {i["data"]["name"]: i["data"] for i in items}


LEVELS = {"level": {"A类": "A", "B类": "B"}}
COLUMNS = {"0": "name", "1": "phone", "2": "region", "3": "level", "4": "amount", "5": None}


def test_upload_suggests_fields_by_label_and_synonym_and_shows_the_rest_ignored(kh: Any) -> None:
    r = _upload(kh, _xlsx(("客户", FIRST)))
    assert r.status_code == 201, r.text
    columns = {c["header"]: (c["field"], c["how"]) for c in r.json()["analysis"]["columns"]}
    assert columns == {"公司名称": ("name", "synonym"), "手机": ("phone", "synonym"), "所在地区": ("region", "synonym"),
                       "客户级别": ("level", "synonym"), "金额(元)": ("amount", "synonym"), "内部编号": (None, "none")}
    values = r.json()["analysis"]["values"]["level"]
    assert {v["text"]: v["suggestion"] for v in values} == {"A类": "A", "B类": "B"}


def test_dry_run_counts_and_previews_and_writes_nothing_then_the_run_imports_in_the_background(kh: Any) -> None:
    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    assert _spec(kh, run, columns=COLUMNS, values=LEVELS).status_code == 200
    checked = _dry(kh, run)
    assert checked.status_code == 200, checked.text
    result = checked.json()["result"]
    assert result["counts"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "failed": 0}
    first = result["preview"][0]
    assert first["row"] == 2 and first["action"] == "new"
    assert first["cells"]["phone"] == "13800138000" and first["cells"]["level"] == "A"
    assert _customers(kh) == {}  # a dry run writes nothing
    done = _run(kh, run)
    assert done["status"] == "done", done
    assert done["result"]["counts"]["new"] == 3 and done["done"] == 3
    stored = _customers(kh)
    assert stored["杭州云帆科技有限公司"]["level"] == "B" and "code" not in stored["杭州云帆科技有限公司"]
    audit = kh.client.get("/api/v1/audit", params={"action": "record.import"}, headers=kh.admin)
    entry = next(e for e in audit.json()["items"] if e["detail"].get("import") == run)
    assert entry["detail"]["created"] == 3 and entry["detail"]["mode"] == "create"


def test_a_second_upload_reuses_the_saved_mapping_and_upserts_by_the_business_key(kh: Any) -> None:
    first = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    _spec(kh, first, columns=COLUMNS, values=LEVELS)
    _dry(kh, first)
    _run(kh, first)
    second_rows = [ODD,
                   ["苏州恒瑞精密机械有限公司", "13800138000", "华东", "B类", 150000, "X-1"],  # changed
                   ["杭州云帆科技有限公司", "13900139000", "华东", "B类", 80000, "X-2"],  # as stored
                   ["北京华信有限公司", "13600136000", "华北", "A类", 1000, "X-4"]]  # new
    again = _upload(kh, _xlsx(("客户", second_rows)))
    analysis = again.json()["analysis"]
    assert {c["header"]: c["how"] for c in analysis["columns"]}["公司名称"] == "saved"
    assert again.json()["spec"]["values"] == LEVELS
    run = again.json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS, mode="upsert", key=["name"])
    result = _dry(kh, run).json()["result"]
    assert result["counts"] == {"rows": 3, "new": 1, "updated": 1, "unchanged": 1, "failed": 0}
    assert [p["action"] for p in result["preview"]] == ["update", "unchanged", "new"]
    assert _customers(kh)["苏州恒瑞精密机械有限公司"]["level"] == "A"  # the dry run rolled its update back
    done = _run(kh, run)
    assert done["result"]["counts"]["updated"] == 1, done
    stored = _customers(kh)
    assert stored["苏州恒瑞精密机械有限公司"]["level"] == "B" and stored["苏州恒瑞精密机械有限公司"]["amount"] == "150000.00"
    assert len(stored) == 4


def test_a_bad_row_fails_the_whole_import_unless_bad_rows_are_skipped_and_the_report_names_the_problem(
        kh: Any) -> None:
    rows = [*FIRST, ["坏数据公司", "12345", "火星", "A类", -5, "X-9"]]
    run = _upload(kh, _xlsx(("客户", rows))).json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS)
    result = _dry(kh, run).json()["result"]
    assert result["counts"]["failed"] == 1 and result["counts"]["new"] == 3
    bad = result["preview"][3]
    assert bad["row"] == 5 and bad["action"] == "failed"
    assert set(bad["problems"]) >= {"region", "amount"}
    refused = kh.client.post(f"{BASE}/{run}/run", headers=kh.admin)
    assert refused.status_code == 409 and "跳过" in refused.json()["error"]["message"]
    report = kh.client.get(f"{BASE}/{run}/errors", headers=kh.admin)
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert table[0] == [*SEEN, "错误说明"] and table[1][0] == "坏数据公司" and "地区" in table[1][-1]
    _spec(kh, run, columns=COLUMNS, values=LEVELS, skip_bad=True)
    _dry(kh, run)
    done = _run(kh, run)
    assert done["status"] == "done" and done["result"]["counts"]["failed"] == 1
    assert set(_customers(kh)) == {r[0] for r in FIRST[1:]}
    # the report, fixed where it says, imports as it is (its 错误说明 column is left out)
    sheet["B2"], sheet["C2"], sheet["E2"] = "13600136000", "华东", 5
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = _upload(kh, fixed.getvalue(), "客户-错误行.xlsx").json()
    assert {c["header"]: c["field"] for c in again["analysis"]["columns"]}["错误说明"] is None
    assert _dry(kh, again["id"]).json()["result"]["counts"]["new"] == 1
    assert _run(kh, again["id"])["status"] == "done" and "坏数据公司" in _customers(kh)


def test_update_only_fails_rows_whose_key_matches_no_record_and_a_file_repeating_a_key(kh: Any) -> None:
    kh.record("customer", {"name": "苏州恒瑞精密机械有限公司", "level": "C"}, app="kh")
    rows = [ODD, FIRST[1], ["无此公司", "13800000000", "华东", "A", 1, ""], FIRST[1]]
    run = _upload(kh, _xlsx(("客户", rows))).json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS, mode="update", key=["name"])
    result = _dry(kh, run).json()["result"]
    assert result["counts"] == {"rows": 3, "new": 0, "updated": 1, "unchanged": 0, "failed": 2}
    codes = {i["row"]: i["code"] for i in result["issues"]}
    assert codes == {3: "no_match", 4: "duplicate_key"}


def test_choosing_another_sheet_and_a_header_row_below_a_title_block(kh: Any) -> None:
    rows = [["2026 年客户清单"], [], *FIRST]
    run = _upload(kh, _xlsx(("说明", [["请看第二个工作表"]]), ("数据", rows))).json()
    assert run["analysis"]["sheets"] == ["说明", "数据"]
    r = _spec(kh, run["id"], sheet=1, header_row=3, values=LEVELS)
    assert r.status_code == 200, r.text
    assert r.json()["analysis"]["header"] == SEEN
    assert r.json()["analysis"]["first_rows"][0] == ["2026 年客户清单"]
    result = _dry(kh, run["id"]).json()["result"]
    assert result["counts"]["new"] == 3 and result["preview"][0]["row"] == 4


def test_the_upload_suggests_the_header_row_below_a_title_block(kh: Any) -> None:
    rows = [["客户导出", "", "2026-12"], ["导出人：张三"], ODD, *FIRST[1:]]
    run = _upload(kh, _xlsx(("客户", rows))).json()
    assert run["spec"]["header_row"] == 3 and run["analysis"]["header"] == SEEN
    assert {c["header"]: c["field"] for c in run["analysis"]["columns"]}["公司名称"] == "name"
    assert _dry(kh, run["id"]).json()["result"]["counts"]["failed"] == 2  # B类 / A类 not yet mapped: the rows are read
    plain = _upload(kh, _xlsx(("客户", FIRST))).json()
    assert plain["spec"]["header_row"] == 1  # a header on the first row stays the first row
    assert _spec(kh, run["id"], header_row=1).json()["spec"]["header_row"] == 1  # the user's choice stands


def test_relations_by_name_flag_ambiguous_and_missing_names_and_take_the_users_choice(kh: Any) -> None:
    one = kh.record("customer", {"name": "恒瑞"}, app="kh")
    kh.record("customer", {"name": "云帆", "code": "A"}, app="kh")
    rows = [["姓名", "客户"], ["张三", "恒瑞"], ["李四", "无此客户"]]
    r = kh.client.post("/api/v1/apps/kh/forms/contact/imports", headers=kh.admin,
                       files={"file": ("联系人.csv", "\n".join(",".join(x) for x in rows).encode("gbk"), "text/csv")})
    assert r.status_code == 201, r.text
    flagged = r.json()["analysis"]["values"]["customer"]
    assert flagged == [{"text": "无此客户", "count": 1, "problem": "missing", "candidates": [], "chosen": None}]
    run = r.json()["id"]
    url = f"/api/v1/apps/kh/forms/contact/imports/{run}"
    dry = kh.client.post(f"{url}/dry-run", headers=kh.admin).json()["result"]
    assert dry["counts"]["failed"] == 1 and dry["preview"][1]["problems"]["customer"].endswith("找不到")
    assert dry["preview"][0]["cells"]["customer"] == "恒瑞"
    kh.client.put(f"{url}/spec", json={"values": {"customer": {"无此客户": str(one["id"])}}}, headers=kh.admin)
    dry = kh.client.post(f"{url}/dry-run", headers=kh.admin).json()["result"]
    assert dry["counts"] == {"rows": 2, "new": 2, "updated": 0, "unchanged": 0, "failed": 0}


@pytest.mark.parametrize(("spec", "field"), [
    ({"columns": {"0": "no_such_field"}}, "columns.0"),
    ({"columns": {"0": "name", "1": "name"}}, "columns.1"),
    ({"mode": "upsert"}, "key"),
    ({"mode": "upsert", "key": ["code"], "columns": {"0": "name"}}, "key"),  # the key's column is not mapped
    ({"sheet": 3}, "sheet"),
    ({"header_row": 40}, "header_row"),  # a blank row
], ids=["unknown-field", "repeated-field", "no-key", "key-not-mapped", "no-such-sheet", "blank-header-row"])
def test_bad_choices_are_4xx_naming_where_and_change_nothing(kh: Any, spec: dict[str, Any], field: str) -> None:
    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    r = _spec(kh, run, **spec)
    if r.status_code == 200:  # checked only when the rows are: the dry run names it
        r = _dry(kh, run)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["error"].get("field") == field or field in r.text, r.text
    assert _customers(kh) == {}


def test_unreadable_upload_is_refused_and_nothing_is_kept(kh: Any) -> None:
    r = _upload(kh, b"PK\x03\x04 not really a zip", "坏.xlsx")
    assert r.status_code in (400, 422), r.text
    assert kh.client.get(BASE, headers=kh.admin).json()["items"] == []


def test_the_run_needs_a_current_dry_run_and_upsert_needs_the_update_right(kh: Any) -> None:
    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    assert kh.client.post(f"{BASE}/{run}/run", headers=kh.admin).status_code == 409
    kh.user("clerk1", admin=False)
    kh.client.put("/api/v1/apps/kh/roles/clerk/members", json={"users": ["clerk1"]}, headers=kh.admin)
    clerk = kh.user("clerk1", admin=False)
    mine = _upload(kh, _xlsx(("客户", FIRST)), headers=clerk)
    assert mine.status_code == 201, mine.text
    assert kh.client.get(f"{BASE}/{run}", headers=clerk).status_code == 404  # another user's import
    _spec(kh, mine.json()["id"], headers=clerk, columns=COLUMNS, mode="upsert", key=["name"])
    assert _dry(kh, mine.json()["id"], headers=clerk).status_code == 403


def test_template_has_headers_drop_downs_an_example_row_and_rules_as_comments(kh: Any) -> None:
    r = kh.client.get(f"{BASE}/template", headers=kh.admin)
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    sheet = book["客户"]
    assert [c.value for c in sheet[1]] == ["客户名称*", "联系电话", "地区", "等级", "成交金额", "统一社会信用代码"]
    assert sheet["C2"].value == "华东" and sheet["B2"].value == "13800138000"
    assert "必填" in sheet["A1"].comment.text and "不可重复" in sheet["A1"].comment.text
    assert "最小 0" in sheet["E1"].comment.text
    ranges = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert ranges["C2:C10000"] == "'选项'!$A$2:$A$4" and ranges["D2:D10000"] == "'选项'!$B$2:$B$4"
    assert [book["选项"].cell(row=i, column=2).value for i in (2, 3, 4)] == ["A", "B", "C"]


def test_a_key_several_records_share_fails_the_row_instead_of_guessing(kh: Any) -> None:
    kh.record("customer", {"name": "甲", "region": "华东"}, app="kh")
    kh.record("customer", {"name": "乙", "region": "华东"}, app="kh")
    rows = [["地区", "等级"], ["华东", "A"]]
    run = _upload(kh, _xlsx(("客户", rows))).json()["id"]
    _spec(kh, run, mode="update", key=["region"])
    result = _dry(kh, run).json()["result"]
    assert result["counts"]["failed"] == 1 and result["issues"][0]["code"] == "ambiguous_key"


def test_an_import_whose_worker_died_is_failed_when_its_job_comes_again_and_may_be_run_anew(kh: Any) -> None:
    from runtime.io import import_runs

    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS)
    _dry(kh, run)
    assert kh.client.post(f"{BASE}/{run}/run", headers=kh.admin).status_code == 202
    with kh.app.state.db.write() as conn:  # a worker took it and died before publishing anything
        import_runs.change(conn, run, datetime.now(UTC), status="running")
    run_due(kh.app.state.db, kh.app.state.settings, datetime.now(UTC))
    shown = kh.client.get(f"{BASE}/{run}", headers=kh.admin).json()
    assert shown["status"] == "failed" and shown["result"]["error"]["code"] == "interrupted"
    assert _customers(kh) == {}
    assert _dry(kh, run).status_code == 200
    assert _run(kh, run)["status"] == "done" and len(_customers(kh)) == 3


@pytest.mark.parametrize("values", [
    {"level": {"A类": {"nested": 1}}},
    {"level": {"A类": ["A"]}},
    {"level": "A"},
], ids=["object", "list", "not-a-map"])
def test_a_value_mapping_that_is_not_text_or_a_number_is_422_naming_it(kh: Any, values: dict[str, Any]) -> None:
    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    r = _spec(kh, run, values=values)
    assert r.status_code == 422 and "values" in r.text


# The run reuses its dry run's plan (runtime/io/checked_plans.py) only while what it was made from holds:
# what changed between the dry run and the run is seen by the run as when it planned the rows anew.


def test_a_record_renamed_between_the_dry_run_and_the_run_is_no_longer_the_one_its_row_updates(kh: Any) -> None:
    first = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    _spec(kh, first, columns=COLUMNS, values=LEVELS)
    _dry(kh, first)
    _run(kh, first)
    rows = [ODD, ["苏州恒瑞精密机械有限公司", "13800138000", "华东", "B类", 150000, "X-1"]]
    run = _upload(kh, _xlsx(("客户", rows))).json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS, mode="upsert", key=["name"])
    assert _dry(kh, run).json()["result"]["counts"]["updated"] == 1
    items = kh.client.get(RECORDS, params={"limit": 100}, headers=kh.admin).json()["items"]
    renamed = next(i for i in items if i["data"]["name"] == "苏州恒瑞精密机械有限公司")
    r = kh.client.patch(f"{RECORDS}/{renamed['id']}", json={"data": {"name": "恒瑞精密（已更名）"}}, headers=kh.admin)
    assert r.status_code == 200, r.text
    done = _run(kh, run)
    assert done["status"] == "done" and done["result"]["counts"]["new"] == 1, done
    stored = _customers(kh)
    assert stored["恒瑞精密（已更名）"]["level"] == "A"  # left as it was
    assert stored["苏州恒瑞精密机械有限公司"]["level"] == "B" and len(stored) == 4


def test_a_unique_value_stored_between_the_dry_run_and_the_run_fails_the_run_naming_its_row(kh: Any) -> None:
    run = _upload(kh, _xlsx(("客户", FIRST))).json()["id"]
    _spec(kh, run, columns=COLUMNS, values=LEVELS)
    assert _dry(kh, run).json()["result"]["counts"]["failed"] == 0
    kh.record("customer", {"name": "杭州云帆科技有限公司"}, app="kh")
    done = _run(kh, run)
    assert done["status"] == "failed", done
    assert [(i["row"], i["field"], i["code"]) for i in done["result"]["issues"]] == [(3, "name", "unique_violation")]
    assert list(_customers(kh)) == ["杭州云帆科技有限公司"]


def test_an_importer_who_lost_the_right_between_the_dry_run_and_the_run_imports_nothing(kh: Any) -> None:
    kh.user("clerk1", admin=False)
    kh.client.put("/api/v1/apps/kh/roles/clerk/members", json={"users": ["clerk1"]}, headers=kh.admin)
    clerk = kh.user("clerk1", admin=False)
    run = _upload(kh, _xlsx(("客户", FIRST)), headers=clerk).json()["id"]
    _spec(kh, run, headers=clerk, columns=COLUMNS, values=LEVELS)
    assert _dry(kh, run, headers=clerk).json()["result"]["counts"]["new"] == 3
    assert kh.client.post(f"{BASE}/{run}/run", headers=clerk).status_code == 202
    kh.client.put("/api/v1/apps/kh/roles/clerk/members", json={"users": []}, headers=kh.admin)
    run_due(kh.app.state.db, kh.app.state.settings, datetime.now(UTC))
    shown = kh.client.get(f"{BASE}/{run}", headers=kh.admin).json()
    assert shown["status"] == "failed", shown
    assert _customers(kh) == {}
