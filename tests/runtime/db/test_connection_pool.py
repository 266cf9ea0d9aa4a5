"""Pooled connections: on PostgreSQL a live one goes out without a ping, one the server ended is
replaced before a request can fail on it (storage.db, _alive_or_replaced); on both databases the
connection returned last goes out first (_most_recent_first)."""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from runtime.api.errors import database_unavailable
from runtime.db import deferred, driver
from runtime.db.db import Database, open_database
from runtime.main import create_app
from runtime.settings import Settings
from tests.backends import PG_URL, fresh_database
from tests.factories import Maker, repair


@pytest.fixture
def named_pg(tmp_path: Path) -> Iterator[tuple[Database, str]]:
    """A PostgreSQL database whose connections carry an application name of their own."""
    with fresh_database("postgresql", tmp_path) as made:
        with made.read() as conn:
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
        name = f"tangram-pool-{uuid.uuid4().hex[:8]}"
        db = open_database(PG_URL, connect_args={"options": f"-csearch_path={schema}", "application_name": name})
        try:
            yield db, name
        finally:
            db.engine.dispose()


def _end_connections(application: str) -> int:
    """pg_terminate_backend for every connection of `application`; returns once they are gone."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            ended = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                      "WHERE application_name = :a"), {"a": application}).scalar()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = :a"), {"a": application}).scalar():
                time.sleep(0.01)
        return int(ended or 0)
    finally:
        admin.dispose()


def test_a_connection_the_server_ended_is_replaced_and_the_request_answers(named_pg: tuple[Database, str],
                                                                            tmp_path: Path) -> None:
    db, name = named_pg
    app = create_app(Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1"), db)
    with TestClient(app) as client:
        make = Maker(app, client)
        make.app_def(repair())
        made = make.record("equipment", {"name": "数控车床"}, app="repair")
        assert _end_connections(name) >= 1  # as a server restart or an administrator would
        listed = client.get(make.url("equipment", "repair"), headers=make.admin)
        assert listed.status_code == 200 and [r["id"] for r in listed.json()["items"]] == [made["id"]]
        again = make.record("equipment", {"name": "台钻"}, app="repair")
        assert again["id"] > made["id"]


def test_a_live_connection_used_just_now_goes_out_without_a_ping(named_pg: tuple[Database, str],
                                                                 monkeypatch: Any) -> None:
    db, _name = named_pg
    pings: list[Any] = []
    ping = db.engine.dialect.do_ping
    monkeypatch.setattr(db.engine.dialect, "do_ping", lambda conn: pings.append(conn) or ping(conn))
    for _ in range(5):
        with db.read() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar() == 1
    assert len(pings) == 1  # the new connection's first checkout only


def test_an_unreachable_database_answers_503_with_retry_after_not_500(tmp_path: Path) -> None:
    port = _closed_port()
    db = open_database(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")
    app = create_app(Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1"), db)
    try:
        with TestClient(app) as client:
            login = client.post("/api/v1/auth/login", json={"username": "admin", "password": "admin-secret-1"})
            listed = client.get("/api/v1/apps", headers={"Authorization": "Bearer some-token",
                                                         "Accept-Language": "en"})
    finally:
        db.engine.dispose()
    for r in (login, listed):
        assert r.status_code == 503 and r.headers["Retry-After"] == "1"
        assert r.json()["error"]["code"] == "database_unavailable"
    assert login.json()["error"]["message"] == "数据库暂时不可用，请稍后重试"
    assert listed.json()["error"]["message"] == "the database is unavailable; try again shortly"


def _closed_port() -> int:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_only_errors_of_reaching_the_database_count_as_unavailable() -> None:
    import psycopg

    def operational(orig: Exception) -> OperationalError:
        return OperationalError("SELECT 1", None, orig)

    class ServerShutdown(psycopg.OperationalError):
        sqlstate = "57P01"  # admin_shutdown

    assert database_unavailable(operational(psycopg.OperationalError("connection refused")))  # no SQLSTATE
    assert database_unavailable(operational(ServerShutdown("terminating connection")))
    assert not database_unavailable(operational(psycopg.errors.QueryCanceled("statement timeout")))
    assert not database_unavailable(operational(sqlite3.OperationalError("no such table: records")))


@pytest.mark.parametrize("statement", ["driver", "deferred rows"])
def test_a_connection_lost_in_a_transaction_raises_sqlalchemys_error_the_api_answers_503(
        named_pg: tuple[Database, str], statement: str) -> None:
    db, name = named_pg
    conn = db.engine.connect()  # no transaction block: its rollback on the dead connection would raise too
    try:
        conn.begin()
        driver.rows(conn, "SELECT 1")
        if statement == "deferred rows":
            deferred.defer(conn, "INSERT INTO audit_log (at, action) VALUES (now(), %s)", ["test"])
        assert _end_connections(name) >= 1
        with pytest.raises(OperationalError) as raised:
            if statement == "deferred rows":
                deferred.send(conn)
            else:
                driver.rows(conn, "SELECT 1")
    finally:
        with contextlib.suppress(OperationalError):  # the connection is gone: so is its transaction
            conn.rollback()
        conn.close()
    assert database_unavailable(raised.value)


def test_the_connection_returned_last_serves_the_next_request(db: Database) -> None:
    """After a burst has filled the pool, requests one after another keep to one connection, the one
    returned last, whose caches are warm: SQLite drops a connection's page cache whenever another
    connection wrote, so taking them in turn made every write read its indexes again."""
    burst = [db.engine.connect() for _ in range(3)]
    raw = [c.connection.dbapi_connection for c in burst]
    for conn in burst:
        conn.close()  # returned in order: raw[2] last
    used = []
    for _ in range(3):
        with db.write() as conn:
            used.append(conn.connection.dbapi_connection)
            conn.exec_driver_sql("SELECT 1")
    assert used == [raw[2]] * 3
