"""`tangram serve` and `tangram worker` refuse a database whose schema is missing, behind or unknown: one
line on stderr naming the command to run, exit 1, no port opened — on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from runtime.cli import main
from runtime.db import schema
from runtime.db.db import open_database
from tests import backends


@pytest.fixture
def url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new empty database: a SQLite file, or a PostgreSQL schema (dropped afterwards)."""
    if backend.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    with backends.schema_url() as found:
        yield found


@pytest.fixture
def served(monkeypatch: Any, tmp_path: Path) -> list[Any]:
    """uvicorn.run replaced: the apps it would have served (none when serve refused)."""
    import uvicorn

    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: apps.append(app))
    monkeypatch.setenv("TANGRAM_MIRROR_INTERVAL", "0")
    monkeypatch.setenv("TANGRAM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TANGRAM_ADMIN_PASSWORD", "Qz7-lantern-orbit")
    return apps


def _at(url: str, revision: str) -> None:
    db = open_database(url)
    try:
        schema.upgrade(db, revision)
    finally:
        db.engine.dispose()


def _one_error_line(capsys: Any) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


def test_serve_on_a_database_never_initialised_exits_1_naming_serve_init(url: str, served: list[Any],
                                                                          capsys: Any) -> None:
    assert main(["serve", "--db", url]) == 1
    line = _one_error_line(capsys)
    assert "has no Tangram schema" in line and "`tangram serve --init`" in line and "`tangram db upgrade`" in line
    assert served == []


def test_serve_on_an_outdated_schema_exits_1_naming_db_upgrade(url: str, served: list[Any], capsys: Any) -> None:
    _at(url, "0015")
    assert main(["serve", "--db", url]) == 1
    line = _one_error_line(capsys)
    assert f"schema revision 0015, this version needs {schema.expected_revision()}" in line
    assert "`tangram db upgrade`" in line
    assert served == []


def test_serve_on_a_schema_newer_than_the_code_exits_1_saying_so(url: str, served: list[Any], capsys: Any) -> None:
    _at(url, "head")
    db = open_database(url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))  # written by a later Tangram
    db.engine.dispose()
    assert main(["serve", "--db", url]) == 1
    assert "revision 9999, which this version of Tangram does not know" in _one_error_line(capsys)
    assert served == []


def test_serve_init_on_a_fresh_database_starts(url: str, served: list[Any], capsys: Any) -> None:
    """`make run` is `tangram serve --init` on a new data directory."""
    assert main(["serve", "--init", "--db", url]) == 0
    assert len(served) == 1 and "created user admin" in capsys.readouterr().out


def test_serve_after_db_upgrade_starts(url: str, served: list[Any]) -> None:
    _at(url, "0015")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["serve", "--db", url]) == 0
    assert len(served) == 1


@pytest.mark.parametrize("revision", [None, "0015"], ids=["never-initialised", "outdated"])
def test_worker_refuses_a_schema_that_is_not_current(url: str, revision: str | None, capsys: Any) -> None:
    if revision:
        _at(url, revision)
    capsys.readouterr()
    assert main(["worker", "--once", "--db", url]) == 1
    line = _one_error_line(capsys)
    assert ("`tangram db upgrade`" in line) and ("0015" in line if revision else "no Tangram schema" in line)
    assert "ran" not in capsys.readouterr().out
