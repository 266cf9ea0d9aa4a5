"""`tangram app upgrade` / `tangram app publish` over stored records: --check prints the report and
exits 1, an undecided publish is refused with it, --decisions publishes and fills."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.apps import definitions
from runtime.cli import main
from runtime.db.db import open_database
from runtime.records import records
from runtime.records.context import SYSTEM, Change
from tests.factories import shop


def _write(tmp_path: Path, data: Any, name: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _shop_with_customers(tmp_path: Path, *notes: str | None) -> str:
    db_url = f"sqlite:///{tmp_path}/cli.db"
    main(["db", "upgrade", "--db", db_url])
    main(["app", "import", _write(tmp_path, shop(), "shop.json"), "--db", db_url])
    db = open_database(db_url)
    with db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        for i, note in enumerate(notes):
            records.create(conn, ref, {"name": f"客户{i}"} | ({"note": note} if note else {}), Change(SYSTEM))
    db.engine.dispose()
    return db_url


def _stricter() -> dict[str, Any]:
    changed = shop(version="1.1.0")
    changed["forms"][0]["fields"][4].update(required=True)
    return changed


def test_upgrade_check_prints_the_report_and_exits_1(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("LANG", "C.UTF-8")
    db_url = _shop_with_customers(tmp_path, None, "有", None)
    capsys.readouterr()
    file = _write(tmp_path, _stricter(), "v2.json")
    assert main(["app", "upgrade", file, "--check", "--db", db_url]) == 1
    assert "customer.note required (made required): 2 — #1 客户0 None, #3 客户2 None" in capsys.readouterr().out
    assert main(["app", "upgrade", file, "--db", db_url]) == 1  # no decision: refused with the report
    captured = capsys.readouterr()
    assert "customer.note required" in captured.out and "forms[0].fields[4].required" in captured.err


def test_upgrade_with_decisions_fills_and_publishes(tmp_path: Path, capsys: Any) -> None:
    db_url = _shop_with_customers(tmp_path, None, "有")
    decisions = _write(tmp_path, [{"form": "customer", "field": "note", "constraint": "required", "action": "fill",
                                   "value": "未登记"}], "decisions.json")
    assert main(["app", "upgrade", _write(tmp_path, _stricter(), "v2.json"), "--decisions", decisions,
                 "--db", db_url]) == 0
    assert "published shop as version 2" in capsys.readouterr().out
    db = open_database(db_url)
    with db.read() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        assert [records.get(conn, ref, i).data.get("note") for i in (1, 2)] == ["未登记", "有"]
    db.engine.dispose()


def test_publish_of_the_draft_checks_it_too(tmp_path: Path, capsys: Any) -> None:
    db_url = _shop_with_customers(tmp_path, None)
    db = open_database(db_url)
    with db.write() as conn:
        definitions.save_draft(conn, "shop", _stricter(), Change(SYSTEM))
    db.engine.dispose()
    capsys.readouterr()
    assert main(["app", "publish", "shop", "--check", "--db", db_url]) == 1
    assert "customer.note required" in capsys.readouterr().out
    decisions = _write(tmp_path, [{"form": "customer", "field": "note", "constraint": "required",
                                   "action": "new_only"}], "decisions.json")
    assert main(["app", "publish", "shop", "--decisions", decisions, "--db", db_url]) == 0
    assert "published shop as version 2" in capsys.readouterr().out
