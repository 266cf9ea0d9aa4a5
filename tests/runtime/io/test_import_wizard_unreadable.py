"""Files the import wizard cannot read, through the HTTP API: a zip bomb and a truncated xlsx are refused
at the upload with a 4xx naming the file, nothing is kept, and the server answers afterwards. The xlsx
read by calamine in its capped child process (runtime/io/xlsx_fast.py) imports exactly what the streaming
reader it falls back on imports."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.io import sheet_child
from tests import hostile_files as h
from tests.runtime.io.test_import_wizard_api import (
    APP,
    BASE,
    COLUMNS,
    LEVELS,
    ODD,
    _customers,
    _dry,
    _run,
    _spec,
    _upload,
    _xlsx,
)


@pytest.fixture
def kh(make: Any) -> Any:
    make.app_def(APP)
    return make


def nothing_kept(make: Any) -> None:
    assert make.client.get("/api/v1/health").status_code == 200
    assert make.client.get(BASE, headers=make.admin).json()["items"] == []
    assert _customers(make) == {}


def test_a_zip_bomb_is_refused_at_the_upload_naming_the_file_and_the_limit(kh: Any) -> None:
    r = _upload(kh, h.huge_inline_string(300), "炸弹.xlsx")  # 300 MB of text in a zip of about 300 KB
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "file_over_limit" and error["limit"] == "max_zip_member_mb"
    assert error["message"].startswith("文件“炸弹.xlsx”无法读取：")
    nothing_kept(kh)


def test_a_truncated_xlsx_is_refused_at_the_upload_naming_the_file(kh: Any) -> None:
    whole = _xlsx(("客户", [ODD, ["苏州恒瑞精密机械有限公司", "13800138000", "华东", "A类", 1, "X-1"]]))
    r = _upload(kh, whole[: len(whole) * 2 // 3], "客户名单.xlsx")
    assert 400 <= r.status_code < 500, r.text
    error = r.json()["error"]
    assert error["code"] == "bad_file" and error["message"].startswith("文件“客户名单.xlsx”无法读取：")
    english = kh.client.post(
        BASE,
        headers={**kh.admin, "Accept-Language": "en"},
        files={"file": ("客户名单.xlsx", whole[:1000], "application/octet-stream")},
    )
    assert "cannot read the file '客户名单.xlsx'" in english.json()["error"]["message"]
    nothing_kept(kh)


ROWS = [
    ODD,
    ["苏州恒瑞精密机械有限公司", "0512-6688 0001", "华东", "A类", 120000, "X-1"],
    ["杭州云帆科技有限公司", 13900139000, "华东", "B类", 80000.5, 91320500],
    [None, None, None, None, None, None],
    ["深圳南山贸易有限公司", "13700137000", "华南", "C", 0, "000123"],
]


STORED = {
    "苏州恒瑞精密机械有限公司": {
        "name": "苏州恒瑞精密机械有限公司",
        "phone": "0512-66880001",
        "region": "华东",
        "level": "A",
        "amount": "120000.00",
        "code": "X-1",
    },
    "杭州云帆科技有限公司": {
        "name": "杭州云帆科技有限公司",
        "phone": "13900139000",
        "region": "华东",
        "level": "B",
        "amount": "80000.50",
        "code": "91320500",
    },
    "深圳南山贸易有限公司": {
        "name": "深圳南山贸易有限公司",
        "phone": "13700137000",
        "region": "华南",
        "level": "C",
        "amount": "0.00",
        "code": "000123",
    },
}


def _imported(make: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    run = _upload(make, _xlsx(("客户", ROWS))).json()["id"]
    _spec(make, run, columns={**COLUMNS, "5": "code"}, values=LEVELS)
    checked = _dry(make, run).json()["result"]
    assert _run(make, run)["status"] == "done"
    return checked, _customers(make)


@pytest.mark.parametrize("reader", ["calamine", "streaming"])
def test_an_xlsx_imports_the_same_through_calamine_and_through_the_streaming_reader(
    kh: Any, monkeypatch: Any, reader: str
) -> None:
    if reader == "streaming":  # a child that cannot start under its cap: the streaming reader takes over
        monkeypatch.setattr(sheet_child, "CHILD_MEMORY", 16 << 20)
    checked, stored = _imported(kh)
    assert checked["counts"] == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "failed": 0}
    assert [p["row"] for p in checked["preview"]] == [2, 3, 5]
    assert stored == STORED
