"""The audit viewer names every action the service writes, in Chinese and in English (issue 27): an
administrator reading 审计日志 sees 发布应用 or 离职交接, not `app.publish` or `user.handover`. The actions are
read from the code that writes them, so an action added later fails here until it is named."""

from __future__ import annotations

import ast
from pathlib import Path

from builder_ui import i18n

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
RECORD_EVENTS = {"record.create", "record.update", "record.delete", "record.restore"}  # runtime/audit.py record_written


def _written_actions() -> set[str]:
    """Every literal action passed to audit.write(conn, ACTION, …) under runtime/."""
    found = set()
    for path in RUNTIME.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "write"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "audit"
                    and len(node.args) > 1 and isinstance(node.args[1], ast.Constant)):
                found.add(node.args[1].value)
    return found


def test_the_scan_finds_the_actions_it_should() -> None:
    assert {"app.publish", "user.handover", "login.failed", "record.export"} <= _written_actions()


def test_every_audited_action_has_a_name_in_both_languages() -> None:
    actions = _written_actions() | RECORD_EVENTS
    unnamed = sorted(a for a in actions if f"act_{a}" not in i18n.ZH or f"act_{a}" not in i18n.EN)
    assert unnamed == []
