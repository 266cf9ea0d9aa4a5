"""The tangram command: validate, db upgrade, import/export, user create — exit codes and messages."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from runtime.cli import main
from tests.factories import shop


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/cli.db"


def _write(tmp_path: Path, data: Any, name: str = "app.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_validate_accepts_a_good_template(tmp_path: Path, capsys: Any) -> None:
    assert main(["app", "validate", _write(tmp_path, shop())]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_prints_every_problem_with_its_path_and_exits_1(tmp_path: Path, capsys: Any,
                                                                 monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    broken = shop()
    broken["forms"][0]["fields"][1]["options"] = []
    broken["forms"][1]["fields"][0]["type"] = "nonsense"
    assert main(["app", "validate", _write(tmp_path, broken)]) == 1
    err = capsys.readouterr().err
    assert "forms[0].fields[1].options: options must be a non-empty list" in err
    assert "forms[1].fields[0]:" in err and "nonsense" in err
    assert "2 problem(s)" in err


def test_validate_reports_cross_references(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    broken = shop()
    broken["forms"].append(copy_form := dict(broken["forms"][1]))
    copy_form["title_field"] = "missing"
    assert main(["app", "validate", _write(tmp_path, broken)]) == 1
    err = capsys.readouterr().err
    assert "forms[2].key: duplicate form key 'product'" in err
    assert "forms[2].title_field" in err


def test_validate_messages_follow_a_chinese_locale(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    broken = shop()
    broken["forms"][0]["title_field"] = "nope"
    assert main(["app", "validate", _write(tmp_path, broken)]) == 1
    assert "forms[0].title_field: 标题字段 nope 不存在" in capsys.readouterr().err


def test_validate_of_a_file_that_is_not_json_names_line_and_column(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"key": "x",\n  oops}', encoding="utf-8")
    assert main(["app", "validate", str(path)]) == 1
    assert "line 2, column 3" in capsys.readouterr().err


def test_db_upgrade_import_export_round_trip(tmp_path: Path, db_url: str, capsys: Any) -> None:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert main(["app", "import", _write(tmp_path, shop()), "--db", db_url]) == 0
    assert "imported shop" in capsys.readouterr().out
    out = tmp_path / "out.json"
    assert main(["app", "export", "shop", "--db", db_url, "-o", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["forms"][0]["fields"][0] == shop()["forms"][0]["fields"][0]


def test_import_of_an_existing_app_exits_1_and_says_so(tmp_path: Path, db_url: str, capsys: Any,
                                                       monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    main(["db", "upgrade", "--db", db_url])
    file = _write(tmp_path, shop())
    main(["app", "import", file, "--db", db_url])
    capsys.readouterr()
    assert main(["app", "import", file, "--db", db_url]) == 1
    assert "app 'shop' exists already" in capsys.readouterr().err


def test_user_create_then_duplicate_is_refused(db_url: str, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    main(["db", "upgrade", "--db", db_url])
    assert main(["user", "create", "wang.li", "--password", "secret-123", "--db", db_url]) == 0
    assert main(["user", "create", "wang.li", "--password", "secret-123", "--db", db_url]) == 1
    assert "user 'wang.li' exists already" in capsys.readouterr().err
    assert main(["user", "create", "li", "--password", "short", "--db", db_url]) == 1


@pytest.mark.parametrize(("flag", "env", "expected"), [
    ([], None, False), (["--access-log"], None, True), ([], "1", True)])
def test_serve_prints_a_line_per_request_only_when_asked(db_url: str, monkeypatch: Any, flag: list[str],
                                                         env: str | None, expected: bool, tangram_loggers: None) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: seen.update(kw))
    monkeypatch.setenv("TANGRAM_MIRROR_INTERVAL", "0")
    monkeypatch.setenv("TANGRAM_EMBEDDED_WORKER", "false")
    if env is not None:
        monkeypatch.setenv("TANGRAM_ACCESS_LOG", env)
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert main(["serve", "--db", db_url, "--port", "8999", *flag]) == 0
    # the line is Tangram's own (it carries the request id): uvicorn's is always off
    assert logging.getLogger("tangram.access").isEnabledFor(logging.INFO) is expected
    assert seen["access_log"] is False and seen["port"] == 8999


def test_serve_leaves_the_objects_of_start_up_out_of_garbage_collection(db_url: str, monkeypatch: Any,
                                                                         tangram_loggers: None) -> None:
    import gc

    import uvicorn

    frozen: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **_kw: frozen.append(gc.get_freeze_count()))
    monkeypatch.setenv("TANGRAM_MIRROR_INTERVAL", "0")
    monkeypatch.setenv("TANGRAM_EMBEDDED_WORKER", "false")
    assert main(["db", "upgrade", "--db", db_url]) == 0
    gc.unfreeze()
    try:
        assert main(["serve", "--db", db_url, "--port", "8999"]) == 0
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    assert frozen and frozen[0] > 10_000  # the app, its routes and the modules, at least
