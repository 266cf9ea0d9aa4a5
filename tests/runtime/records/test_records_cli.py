"""`tangram records import|export`: a GBK CSV in, an xlsx out, and a bad file refused with exit 1."""

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


def test_import_a_gbk_csv_then_export_xlsx(tmp_path: Path, db_url: str, capsys: Any) -> None:
    source = tmp_path / "客户.csv"
    source.write_bytes("客户名称,地区,成交金额\n上海某某实业有限公司,华东,100\n北京某某科技有限公司,华北,2.5\n".encode("gbk"))
    assert main(["records", "import", "shop", "customer", str(source), "--dry-run", "--db", db_url]) == 0
    assert "2 rows are valid" in capsys.readouterr().out
    assert main(["records", "import", "shop", "customer", str(source), "--db", db_url]) == 0
    assert "imported 2 records" in capsys.readouterr().out
    out = tmp_path / "out.xlsx"
    assert main(["records", "export", "shop", "customer", "--sort", "amount", "--filter", 'region != "华南"',
                 "-o", str(out), "--db", db_url]) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert [r[0] for r in rows[1:]] == ["北京某某科技有限公司", "上海某某实业有限公司"]


def test_a_bad_row_exits_1_naming_row_and_field_and_imports_nothing(tmp_path: Path, db_url: str,
                                                                  capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    source = tmp_path / "bad.csv"
    source.write_text("客户名称,地区\n甲,华东\n乙,火星\n", encoding="utf-8")
    assert main(["records", "import", "shop", "customer", str(source), "--db", db_url]) == 1
    assert "rows[3].region" in capsys.readouterr().err
    assert main(["records", "export", "shop", "customer", "--format", "csv", "--db", db_url]) == 0
    exported = capsys.readouterr().out
    assert exported.startswith("\ufeff客户名称,") and "甲" not in exported


def test_export_sort_written_as_documented_with_a_leading_dash(tmp_path: Path, db_url: str, capsys: Any) -> None:
    # docs/cli.md writes `--sort -amount,name`: argparse alone takes -amount for an option and exits 2.
    source = tmp_path / "客户.csv"
    source.write_text("客户名称,地区,成交金额\n乙,华北,5\n甲,华东,5\n丙,华南,9\n丁,,1\n", encoding="utf-8")
    assert main(["records", "import", "shop", "customer", str(source), "--db", db_url]) == 0
    capsys.readouterr()
    assert main(["records", "export", "shop", "customer", "--sort", "-amount,name", "--db", db_url]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["丙", "甲", "乙", "丁"]  # 甲 before 乙: jiǎ < yǐ
    # A select sorts in option order (华东, 华南, 华北 as defined), blanks first, not by its text.
    assert main(["records", "export", "shop", "customer", "--sort", "region", "--db", db_url]) == 0
    lines = capsys.readouterr().out.lstrip("\ufeff").splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["丁", "甲", "丙", "乙"]
