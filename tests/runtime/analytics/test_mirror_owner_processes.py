"""Several real `tangram serve` processes on one data directory (issue 28): one process owns the DuckDB
mirror, the others read its published snapshot, so mirror reports answer 200 from every server and no
log holds a DuckDB lock error; with the owner stopped, reports answer from the primary database and say
so (`engine: primary`); /health shows the mirror's lag. Loopback only, SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests import backends
from tests.factories import shop

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Mirror-owner-Passw0rd-28"
BY_LEVEL = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
            "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]}
LOCK_ERRORS = ("Could not set lock", "Conflicting lock")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Site:
    """Processes sharing one data directory and one database; each with its own log file."""

    def __init__(self, folder: Path, url: str) -> None:
        self.folder, self.url = folder, url
        self.data = folder / "data"
        self.data.mkdir()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.token = ""

    def env(self, extra: dict[str, str]) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT), "TANGRAM_DATA_DIR": str(self.data),
                "TANGRAM_DATABASE_URL": self.url, "TANGRAM_ADMIN_PASSWORD": PASSWORD, "TANGRAM_MIRROR": "always",
                "TANGRAM_MIRROR_INTERVAL": "0.3",
                "TANGRAM_EMBEDDED_WORKER": "true", **extra}  # tests/conftest.py turns it off for in-process tests

    def start(self, name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        with (self.folder / f"{name}.log").open("wb") as out:
            self.processes[name] = subprocess.Popen([sys.executable, "-m", "runtime.cli", *args], env=self.env(extra or {}),
                                                    stdout=out, stderr=subprocess.STDOUT)

    def serve(self, name: str, extra: dict[str, str] | None = None, init: bool = False) -> str:
        port = _free_port()
        self.start(name, ["serve", "--host", "127.0.0.1", "--port", str(port), *(["--init"] if init else [])], extra)
        base = f"http://127.0.0.1:{port}"
        for _ in range(1200):  # start-up (migrations, the CRM template): waiting, not a timing assertion
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited: {self.log(name)}")
            try:
                httpx.get(f"{base}/health/live")
                return base
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not start: {self.log(name)}")

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.terminate()
        process.wait(timeout=60)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "".join(self.log(p.stem) for p in self.folder.glob("*.log"))

    def login(self, base: str) -> None:
        r = httpx.post(f"{base}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.token = r.json()["access_token"]

    def call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, url, headers={"Authorization": f"Bearer {self.token}"}, timeout=60, **kw)

    def query(self, base: str) -> dict[str, Any]:
        r = self.call("POST", f"{base}/api/v1/apps/shop/query", json=BY_LEVEL)
        assert r.status_code == 200, r.text  # never a 500, whichever engine answers
        return r.json()["widgets"][0]  # type: ignore[no-any-return]

    def until(self, base: str, engine: str, rows: list[Any]) -> None:
        """Wait until the widget is answered by `engine` with `rows` (the owner's next sync and publication,
        or the snapshot growing old): waiting, not a timing assertion."""
        end = time.monotonic() + 60
        while time.monotonic() < end:
            widget = self.query(base)
            if widget["engine"] == engine and widget["rows"] == rows:
                return
            time.sleep(0.1)
        raise AssertionError(f"{base} never answered {rows} from {engine}: {widget}\n{self.logs()}")

    def close(self) -> None:
        for name in list(self.processes):
            self.stop(name)


@pytest.fixture
def site(backend: str, tmp_path: Path) -> Iterator[Site]:
    if backend == "sqlite-text":
        pytest.skip("how record data is stored does not change who owns the mirror")
    if backend == "sqlite":
        yield from _with_site(tmp_path, "")
        return
    backends.require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(backends.PG_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield from _with_site(tmp_path, f"{backends.PG_URL}?options=-csearch_path%3D{schema}")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _with_site(folder: Path, url: str) -> Iterator[Site]:
    site = Site(folder, url)
    try:
        yield site
    finally:
        site.close()


def _records(site: Site, base: str) -> None:
    site.login(base)
    assert site.call("POST", f"{base}/api/v1/apps", json=shop()).status_code in (200, 201)
    for name, level, amount in (("甲", "A", "10.50"), ("乙", "A", "4.50"), ("丙", "B", "7")):
        r = site.call("POST", f"{base}/api/v1/apps/shop/forms/customer/records",
                      json={"data": {"name": name, "level": level, "amount": amount}})
        assert r.status_code == 201, r.text


def test_two_servers_on_one_data_directory_both_answer_mirror_reports(site: Site) -> None:
    first = site.serve("first", init=True)
    second = site.serve("second")
    _records(site, first)
    for base in (first, second):
        site.until(base, "mirror", [["A", 2, 15], ["B", 1, 7]])
    for base in (first, second):  # the mirror's state and a forced mirror answer from either
        assert site.call("GET", f"{base}/api/v1/mirror").json()["tables"]["shop__customer"]["rows"] == 3
        forced = site.call("POST", f"{base}/api/v1/apps/shop/query?engine=mirror", json=BY_LEVEL)
        assert forced.status_code == 200 and forced.json()["widgets"][0]["rows"] == [["A", 2, 15], ["B", 1, 7]]
    assert not any(error in site.logs() for error in LOCK_ERRORS), site.logs()


def test_servers_read_the_workers_mirror_and_fall_back_to_the_primary_database_without_it(site: Site) -> None:
    servers = {"TANGRAM_EMBEDDED_WORKER": "false", "TANGRAM_MIRROR_SNAPSHOT_MAX_AGE": "3"}
    first = site.serve("first", servers, init=True)
    second = site.serve("second", servers)
    _records(site, first)
    site.start("worker", ["worker", "--poll", "0.5"], {"TANGRAM_MIRROR_INTERVAL": "0.3"})
    for base in (first, second):
        site.until(base, "mirror", [["A", 2, 15], ["B", 1, 7]])
        health = httpx.get(f"{base}/health").json()
        assert health["checks"]["mirror"]["ok"] and health["checks"]["mirror"]["lag_seconds"] is not None
    r = site.call("POST", f"{first}/api/v1/apps/shop/forms/customer/records",
                  json={"data": {"name": "丁", "level": "B", "amount": "1"}})
    assert r.status_code == 201, r.text
    site.until(second, "mirror", [["A", 2, 15], ["B", 2, 8]])  # the worker syncs and publishes the new record

    site.stop("worker")
    for base in (first, second):
        site.until(base, "primary", [["A", 2, 15], ["B", 2, 8]])
        lag = httpx.get(f"{base}/health").json()["checks"]["mirror"]["lag_seconds"]
        assert lag is not None and lag >= 3
    assert not any(error in site.logs() for error in LOCK_ERRORS), site.logs()


def test_serve_with_two_workers_keeps_one_owner_and_both_processes_answer_from_the_mirror(site: Site) -> None:
    port = _free_port()
    site.serve("init", init=True)  # the schema and the admin; then the port is handed to `--workers 2`
    site.stop("init")
    site.start("pair", ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"])
    base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 300  # start-up of two spawned interpreters: waiting, not a timing assertion
    while True:
        try:
            httpx.get(f"{base}/health/live")
            break
        except httpx.TransportError:
            assert time.monotonic() < end and site.processes["pair"].poll() is None, site.log("pair")
            time.sleep(0.2)
    _records(site, base)
    pids: set[int] = set()
    in_a_row, end = 0, time.monotonic() + 120
    while in_a_row < 20 or len(pids) < 2:  # 20 answers in a row from the mirror: from both processes, by the odds
        assert time.monotonic() < end, f"{in_a_row} {pids}\n{site.logs()}"
        widget = site.query(base)  # a new connection each time: either process may take it
        in_a_row = in_a_row + 1 if (widget["engine"], widget["rows"]) == ("mirror", [["A", 2, 15], ["B", 1, 7]]) else 0
        pids.add(httpx.get(f"{base}/health/live").json()["pid"])
    assert not any(error in site.logs() for error in LOCK_ERRORS), site.logs()
