"""Every entry point switches on every write subscriber and read grant, whatever it imports."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime import subscribers
from runtime.cli import main
from runtime.main import create_app
from runtime.permissions import grants
from runtime.records import events
from runtime.settings import Settings

FULL = (list(subscribers.BEFORE_WRITE), list(subscribers.AFTER_WRITE), list(subscribers.READ_GRANTS))


def _registered() -> tuple[list[Any], list[Any], list[Any]]:
    return (*events.registered(), grants.registered())


@pytest.fixture
def none_registered() -> Iterator[None]:
    """Start from a process in which nothing is registered, and put back what was there."""
    before, after, read = _registered()
    _clear()
    yield
    _clear()
    events.install(before, after)
    grants.install(read)


def _clear() -> None:
    before, after, read = _registered()
    for subscriber in before + after:
        events.unsubscribe(subscriber)
    for grant in read:
        grants.remove_grant(grant)


def test_importing_the_modules_registers_nothing() -> None:
    # The bug this replaces: a program importing only storage and import/export got 1 of 5 subscribers.
    code = ("import runtime.io.imports, runtime.audit, runtime.flows.flow_triggers, runtime.main, runtime.cli\n"
            "import runtime.permissions.shares, runtime.permissions.approvers\n"
            "from runtime.records import events\nfrom runtime.permissions import grants\n"
            "print(sum(map(len, events.registered())) + len(grants.registered()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "0"


def test_the_app_factory_installs_every_subscriber(none_registered: None, db: Any, tmp_path: Path) -> None:
    create_app(Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1"), db)
    assert _registered() == FULL


@pytest.mark.parametrize("argv", [["app", "validate", "missing.json"], ["db", "upgrade"], ["worker", "--once"]],
                         ids=["validate", "db-upgrade", "worker"])
def test_every_cli_command_installs_every_subscriber(none_registered: None, argv: list[str], tmp_path: Path,
                                                      capsys: Any) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    if argv[0] == "worker":
        main(["db", "upgrade", "--db", url])
        _clear()
    main(argv + (["--db", url] if argv[0] != "app" else []))
    assert _registered() == FULL


def test_installing_twice_registers_each_subscriber_once(none_registered: None) -> None:
    subscribers.install()
    subscribers.install()
    assert _registered() == FULL


def test_a_cli_import_writes_the_audit_entry_and_starts_the_flow(none_registered: None, tmp_path: Path) -> None:
    """Through `tangram` in a process of its own: the import's records are audited and start their flow."""
    url = f"sqlite:///{tmp_path}/cli.db"
    app = tmp_path / "app.json"
    app.write_text(_APP, encoding="utf-8")
    sheet = tmp_path / "in.csv"
    sheet.write_text("名称\n甲\n乙\n", encoding="utf-8")
    check = ("from sqlalchemy import func, select\n"
             "from runtime.db.db import open_database\n"
             "from runtime.db.tables import audit_log, flow_instances\n"
             f"db = open_database({url!r})\n"
             "with db.engine.connect() as c:\n"
             "    print(c.scalar(select(func.count()).select_from(audit_log).where(audit_log.c.action == 'record.create')),"
             " c.scalar(select(func.count()).select_from(flow_instances)))")
    for argv in (["db", "upgrade", "--db", url], ["app", "import", str(app), "--db", url],
                 ["records", "import", "wire", "item", str(sheet), "--db", url]):
        subprocess.run([sys.executable, "-m", "runtime.cli", *argv], check=True, capture_output=True,
                       cwd=Path(__file__).parents[2])
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    assert out.stdout.split() == ["2", "2"]


_APP = """{"format": "tangram/app@1", "key": "wire", "name": "接线", "version": "1.0.0",
 "forms": [{"key": "item", "name": "条目", "title_field": "name",
            "fields": [{"key": "name", "type": "text", "label": "名称"}]}],
 "flows": [{"key": "on_create", "name": "新建即审批", "form": "item", "trigger": {"on": "create"},
            "steps": [{"type": "approval", "key": "ok", "name": "审批", "approvers": {"users": ["admin"]}}]}]}"""
