"""`tangram records import` with the wizard's options: mapping by synonyms and --map, value mapping, a
dry run that prints counts and problems, upsert by a business key, skipping bad rows and the error report."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from runtime.cli import main
from tests.factories import shop


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    app = tmp_path / "shop.json"
    app.write_text(json.dumps(shop(), ensure_ascii=False), encoding="utf-8")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(app), "--db", url]) == 0
    return url


def _export(db_url: str, capsys: Any) -> dict[str, list[str]]:
    capsys.readouterr()
    assert main(["records", "export", "shop", "customer", "--format", "csv", "--db", db_url]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()
    return {line.split(",")[0]: line.split(",") for line in lines[1:]}


def test_odd_headers_map_by_synonym_and_option_then_upsert_changes_only_what_differs(
        tmp_path: Path, db_url: str, capsys: Any) -> None:
    first = tmp_path / "客户.csv"
    first.write_bytes("公司名称,区域,客户级别,说明\n甲公司,华东,A类,老客户\n乙公司,华北,B类,\n".encode("gbk"))
    args = ["records", "import", "shop", "customer", str(first), "--db", db_url]
    assert main([*args, "--value", "level:A类=A", "--value", "level:B类=B", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "2 new, 0 updated, 0 unchanged, 0 failed" in out and "nothing imported" in out
    assert main([*args, "--value", "level:A类=A", "--value", "level:B类=B"]) == 0
    assert "2 created" in capsys.readouterr().out
    stored = _export(db_url, capsys)
    assert stored["甲公司"][1:4] == ["华东", "A", ""] and stored["甲公司"][4] == "老客户"
    second = tmp_path / "客户2.csv"
    second.write_text("公司名称,区域,客户级别,说明\n甲公司,华南,A类,老客户\n乙公司,华北,B类,\n丙公司,华北,C,\n",
                      encoding="utf-8")
    assert main(["records", "import", "shop", "customer", str(second), "--mode", "upsert", "--key", "name",
                 "--db", db_url]) == 0  # the value mapping was saved with the first import
    assert "1 created, 1 updated, 1 unchanged, 0 skipped" in capsys.readouterr().out
    assert _export(db_url, capsys)["甲公司"][1] == "华南"


def test_a_bad_row_stops_everything_unless_skipped_and_goes_to_the_error_file(
        tmp_path: Path, db_url: str, capsys: Any) -> None:
    source = tmp_path / "客户.csv"
    source.write_text("客户名称,地区,备用\n甲,华东,x\n乙,火星,y\n", encoding="utf-8")
    errors = tmp_path / "错误行.xlsx"
    args = ["records", "import", "shop", "customer", str(source), "--map", "备用=-", "--errors", str(errors),
            "--db", db_url]
    assert main(args) == 1
    assert "1 failed" in capsys.readouterr().out
    assert _export(db_url, capsys) == {}
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(errors.read_bytes())).active.iter_rows()]
    assert rows[0] == ["客户名称", "地区", "备用", "错误说明"] and rows[1][:3] == ["乙", "火星", "y"]
    assert main([*args, "--skip-bad"]) == 0
    assert set(_export(db_url, capsys)) == {"甲"}


def test_map_naming_a_column_the_file_lacks_exits_1_and_says_which(tmp_path: Path, db_url: str, capsys: Any,
                                                                   monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    source = tmp_path / "客户.csv"
    source.write_text("客户名称\n甲\n", encoding="utf-8")
    assert main(["records", "import", "shop", "customer", str(source), "--map", "手机=phone", "--db", db_url]) == 1
    assert "手机" in capsys.readouterr().err
