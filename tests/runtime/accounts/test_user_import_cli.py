"""`tangram users import FILE` (issue 27): a dry run writes nothing, a bad row fails the whole file naming its row
and column, a good file creates users and departments with initial passwords written to a CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from runtime.cli import main
from runtime.db.db import open_database
from runtime.db.tables import audit_log, users
from runtime.io.spreadsheet import read_sheet, xlsx_bytes

HEADER = ["用户名", "姓名", "部门", "主部门", "手机", "邮箱", "是否管理员"]


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: Any) -> str:
    monkeypatch.setenv("LANG", "C.UTF-8")
    url = f"sqlite:///{tmp_path}/cli.db"
    assert main(["db", "upgrade", "--db", url]) == 0
    return url


def _file(tmp_path: Path, *rows: list[Any]) -> str:
    path = tmp_path / "users.xlsx"
    path.write_bytes(xlsx_bytes(HEADER, rows))
    return str(path)


def _usernames(url: str) -> set[str]:
    with open_database(url).read() as conn:
        return set(conn.scalars(select(users.c.username)))


def test_a_dry_run_prints_the_rows_and_writes_nothing(db_url: str, tmp_path: Path, capsys: Any) -> None:
    file = _file(tmp_path, ["zhang", "张三", "销售部", "", "", "", ""])
    assert main(["users", "import", file, "--dry-run", "--create-departments", "--db", db_url]) == 0
    assert '"status": "new"' in capsys.readouterr().out
    assert _usernames(db_url) == set()


def test_a_bad_row_fails_the_file_naming_row_and_column(db_url: str, tmp_path: Path, capsys: Any) -> None:
    file = _file(tmp_path, ["zhang", "张三", "", "", "", "", ""], ["li", "李四", "", "", "123", "", ""])
    assert main(["users", "import", file, "--db", db_url]) == 1
    assert "row 3, column 手机" in capsys.readouterr().err
    assert _usernames(db_url) == set()


def test_an_import_writes_users_and_their_passwords_to_a_csv(db_url: str, tmp_path: Path, capsys: Any) -> None:
    file = _file(tmp_path, ["zhang", "张三", "销售部/华东区", "", "13800138000", "", "否"])
    out = tmp_path / "passwords.csv"
    assert main(["users", "import", file, "--create-departments", "--passwords", str(out), "--db", db_url]) == 0
    assert "1 new" in capsys.readouterr().out
    rows = list(read_sheet(out.read_bytes(), "p.csv").rows)
    assert rows[0][0] == "zhang" and len(rows[0][1]) >= 12
    with open_database(db_url).read() as conn:
        user = conn.execute(select(users).where(users.c.username == "zhang")).one()
        actions = list(conn.scalars(select(audit_log.c.action)))
    assert user.must_change_password is True and user.mobile == "13800138000"
    assert "user.import" in actions
