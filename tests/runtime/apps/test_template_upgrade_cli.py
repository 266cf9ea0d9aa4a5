"""`tangram app upgrade APP FILE --choose PATH=ours|theirs`: the template upgrade from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from runtime.apps import definitions
from runtime.cli import main
from runtime.db.db import open_database
from runtime.db.tables import records as stored
from runtime.records import records
from runtime.records.context import SYSTEM, Change
from tests.template_versions import THRESHOLD, V1, customised, template_v2, threshold


def _write(tmp_path: Path, data: Any, name: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _customised_crm(tmp_path: Path) -> str:
    db_url = f"sqlite:///{tmp_path}/cli.db"
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert main(["app", "import", _write(tmp_path, V1, "v1.json"), "--db", db_url]) == 0
    db = open_database(db_url)
    with db.write() as conn:
        definitions.upgrade_app(conn, "crm", customised(V1), Change(SYSTEM))
    db.engine.dispose()
    return db_url


def _threshold(db_url: str) -> str:
    db = open_database(db_url)
    with db.read() as conn:
        found = threshold(definitions.current(conn, "crm")[0].dump())
    db.engine.dispose()
    return found


def test_cli_previews_refuses_an_unchosen_conflict_then_applies_the_choice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = _customised_crm(tmp_path)
    v2 = _write(tmp_path, template_v2(V1), "v2.json")
    assert main(["app", "upgrade", "crm", v2, "--preview", "--db", db_url]) == 1
    out = capsys.readouterr().out
    assert f"冲突 / conflict: {THRESHOLD}" in out and "新增 / added: forms[customer].fields[credit_code]" in out
    assert '  theirs: "amount > 1000000"' in out
    assert main(["app", "upgrade", "crm", v2, "--db", db_url]) == 1
    assert THRESHOLD in capsys.readouterr().err
    assert _threshold(db_url) == "amount > 300000"
    assert main(["app", "upgrade", "crm", v2, "--choose", f"{THRESHOLD}=theirs", "--db", db_url]) == 0
    assert "upgraded crm to template 2.0.0" in capsys.readouterr().out
    assert _threshold(db_url) == "amount > 1000000"


def test_cli_bad_choose_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = _customised_crm(tmp_path)
    v2 = _write(tmp_path, template_v2(V1), "v2.json")
    assert main(["app", "upgrade", "crm", v2, "--choose", f"{THRESHOLD}=mine", "--db", db_url]) == 1
    assert THRESHOLD in capsys.readouterr().err
    assert _threshold(db_url) == "amount > 300000"


def test_cli_exports_with_records_and_imports_a_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = _customised_crm(tmp_path)
    db = open_database(db_url)
    with db.write() as conn:
        customer = records.create(conn, definitions.form_ref(conn, "crm", "customer"), {"name": "杭州甲公司"},
                                  Change(SYSTEM))
        records.create(conn, definitions.form_ref(conn, "crm", "contact"),
                       {"name": "张伟", "customer": customer.id}, Change(SYSTEM))
    db.engine.dispose()
    out = str(tmp_path / "crm.json")
    assert main(["app", "export", "crm", "--records", "-o", out, "--db", db_url]) == 0
    assert main(["app", "import", out, "--as", "crm2", "--db", db_url]) == 0
    assert "imported crm2" in capsys.readouterr().out
    db = open_database(db_url)
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm2", "contact")
        contact = conn.execute(select(stored.c.data).where(stored.c.app == "crm2", stored.c.form == "contact")).one()
        copied = conn.execute(select(stored.c.id).where(stored.c.app == "crm2", stored.c.form == "customer")).one()
        assert ref.app_key == "crm2" and contact.data["customer"] == copied.id != customer.id
    db.engine.dispose()
