"""/health is readiness (database, schema revision, mirror lag) and /health/live liveness; neither needs a login."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from runtime.analytics.mirror import Mirror
from runtime.analytics.sync import sync
from runtime.db import schema
from runtime.db.db import Database, open_database
from runtime.main import create_app
from runtime.settings import Settings


def test_health_is_200_with_each_check_when_the_schema_is_current(client: TestClient) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ok" and body["failing"] == [] and body["database"]  # the engine in use, as before
    head = schema.expected_revision()
    assert body["checks"] == {"database": {"ok": True}, "schema": {"ok": True, "revision": head, "expected": head}}


def test_health_is_503_naming_the_schema_and_the_command_when_the_database_is_behind(db: Database,
                                                                                     client: TestClient) -> None:
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0015'"))
    r = client.get("/api/v1/health")
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "unavailable" and body["failing"] == ["schema"]
    assert body["checks"]["schema"] == {"ok": False, "revision": "0015", "expected": schema.expected_revision(),
                                        "command": "tangram db upgrade"}
    assert client.get("/api/v1/health/live").status_code == 200


def test_health_is_503_naming_the_database_when_it_does_not_answer(tmp_path: Path) -> None:
    db = open_database("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", connect_args={"connect_timeout": 2})
    app = create_app(Settings(data_dir=tmp_path, database_url="unused://"), db)
    with TestClient(app) as client:
        r = client.get("/api/v1/health")
        assert r.status_code == 503
        assert r.json()["failing"] == ["database", "schema"]
        assert r.json()["checks"]["database"] == {"ok": False, "error": "unreachable"}  # no address or driver text
        live = client.get("/api/v1/health/live")
        assert live.status_code == 200 and live.json() == {"status": "ok", "pid": os.getpid()}


def test_health_reports_the_mirror_lag_and_is_503_past_the_limit(app: Any, db: Database, client: TestClient,
                                                                   tmp_path: Path) -> None:
    synced = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    app.state.mirror = Mirror(tmp_path / "analytics.duckdb")
    sync(db, app.state.mirror, synced)
    app.state.settings = app.state.settings.model_copy(update={"health_mirror_max_lag": 60})
    app.state.clock = lambda: synced + timedelta(seconds=42)
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.json()["checks"]["mirror"] == {"ok": True, "lag_seconds": 42.0,
                                                                     "max_lag_seconds": 60, "owner": True}
    app.state.clock = lambda: synced + timedelta(seconds=61)
    r = client.get("/api/v1/health")
    assert r.status_code == 503 and r.json()["failing"] == ["mirror"]
    assert r.json()["checks"]["mirror"]["lag_seconds"] == 61.0
    app.state.mirror.close()


def test_health_has_no_mirror_check_in_a_process_without_a_mirror(client: TestClient) -> None:
    assert "mirror" not in client.get("/api/v1/health").json()["checks"]


def test_health_and_live_answer_whatever_authorization_is_sent(client: TestClient) -> None:
    for path in ("/api/v1/health", "/api/v1/health/live"):
        r = client.get(path, headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 200, (path, r.text)


def test_the_root_paths_answer_as_the_api_ones(db: Database, client: TestClient) -> None:
    """/health and /health/live, where orchestrators look first, are the same checks."""
    assert client.get("/health").json() == client.get("/api/v1/health").json()
    assert client.get("/health/live").json() == {"status": "ok", "pid": os.getpid()}
    with db.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0015'"))
    assert client.get("/health").status_code == 503 and client.get("/health/live").status_code == 200
