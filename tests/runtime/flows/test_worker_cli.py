"""`tangram worker --once` runs the jobs that are due (SQLite file database); the embedded worker thread lives
and stops with the server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runtime.apps import definitions
from runtime.cli import main
from runtime.db.db import open_database
from runtime.records import records
from runtime.records.context import SYSTEM, Change
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
        import runtime.flows.flow_triggers  # noqa: F401 — what the server and the worker load: flows follow writes

        with db.write() as conn:
            records.create(conn, definitions.form_ref(conn, "tickets", "ticket"), {"summary": "泵"}, Change(SYSTEM))
        db.engine.dispose()
        capsys.readouterr()
        assert main(["worker", "--once", "--db", url]) == 0
        assert "ran 1 job(s)" in capsys.readouterr().out
        assert [r.json for r in fake.received] == [{"s": "泵"}]
        assert main(["worker", "--once", "--db", url]) == 0
        assert "ran 0 job(s)" in capsys.readouterr().out


def test_the_embedded_worker_runs_with_the_server_and_stops_with_it(db: Any, tmp_path: Path) -> None:
    import threading

    from fastapi.testclient import TestClient

    from runtime.accounts.users import create_user
    from runtime.main import create_app
    from runtime.settings import Settings

    with http_fake() as fake:
        settings = Settings(data_dir=tmp_path, database_url="unused://", embedded_worker=True, worker_poll_seconds=0.01)
        app = create_app(settings, db)
        delivered = threading.Event()
        with db.write() as conn:
            definitions.import_app(conn, tickets({"key": "hook", "name": "推送", "form": "ticket",
                                                  "trigger": {"on": "create"}, "steps": [
                                                      {"type": "action", "action": "webhook", "url": fake.url,
                                                       "body": {"s": "summary"}}]}), Change(SYSTEM))
            create_user(conn, "admin", "password-123", datetime.now(UTC), is_admin=True)
        with TestClient(app) as client:
            assert any(t.name == "tangram-worker" for t in threading.enumerate())
            token = client.post("/api/v1/auth/login", json={"username": "admin", "password": "password-123"})
            client.post("/api/v1/apps/tickets/forms/ticket/records", json={"data": {"summary": "泵"}},
                        headers={"Authorization": f"Bearer {token.json()['access_token']}"})
            for _ in range(1000):  # the thread polls every 10 ms; give it up to 10 s on a busy machine
                if fake.received:
                    delivered.set()
                    break
                threading.Event().wait(0.01)
        assert delivered.is_set() and [r.json for r in fake.received] == [{"s": "泵"}]
        assert not any(t.name == "tangram-worker" for t in threading.enumerate())
