"""`tangram worker --once` runs the jobs that are due, in its own process's way (SQLite file database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runtime.cli import main
from runtime.storage import definitions, records
from runtime.storage.context import SYSTEM, Change
from runtime.storage.db import open_database
from tests.fakes import http_fake
from tests.flows import tickets


def test_worker_once_delivers_the_due_webhook_and_exits(tmp_path: Path, capsys: Any) -> None:
    url = f"sqlite:///{tmp_path}/w.db"
    with http_fake() as fake:
        app = tickets({"key": "hook", "name": "推送", "form": "ticket", "trigger": {"on": "create"},
                       "steps": [{"type": "action", "action": "webhook", "url": fake.url, "body": {"s": "summary"}}]})
        (tmp_path / "app.json").write_text(json.dumps(app, ensure_ascii=False), encoding="utf-8")
        assert main(["db", "upgrade", "--db", url]) == 0
        assert main(["app", "import", str(tmp_path / "app.json"), "--db", url]) == 0
        db = open_database(url)
        import runtime.storage.flow_triggers  # noqa: F401 — what the server and the worker load: flows follow writes

        with db.write() as conn:
            records.create(conn, definitions.form_ref(conn, "tickets", "ticket"), {"summary": "泵"}, Change(SYSTEM))
        db.engine.dispose()
        capsys.readouterr()
        assert main(["worker", "--once", "--db", url]) == 0
        assert "ran 1 job(s)" in capsys.readouterr().out
        assert [r.json for r in fake.received] == [{"s": "泵"}]
        assert main(["worker", "--once", "--db", url]) == 0
        assert "ran 0 job(s)" in capsys.readouterr().out
