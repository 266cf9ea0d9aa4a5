"""Several server processes on one database stay coherent: what one process changes, the other sees within a
second — a definition published, a token revoked, a role given, a user deactivated, a session ended, a setting
changed. Real processes on loopback: server A is `tangram serve --workers 2` (two pids behind one port), server B
a plain `tangram serve` with a data directory of its own (another machine), and a `tangram worker` does the jobs.

On PostgreSQL (skipped with the reason when it is not reachable, failed under CI) and on SQLite, where the
processes share one database file on one machine. Each change is made on A and B is asked until it shows it;
the poll's deadline is generous (the machine is shared), the second it should take is the server's own bound
(runtime/db/recent.py)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.cli import init_database, main
from runtime.db.db import open_database
from runtime.settings import Settings
from tests import backends

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Coherent-Passw0rd-71"
START_SECONDS = 300  # start-up on two shared cores: imports and the app, per process (not an assertion)
POLL_SECONDS = 15  # how long B is asked before the test gives up (the server's bound is 1 s)


@dataclass
class Cluster:
    a: str  # `tangram serve --workers 2`
    b: str  # `tangram serve`, its own data directory
    admin: str  # a bearer token of admin

    def as_admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "runtime.cli", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, cwd=log.parent)


def _wait_until_live(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{base}: the process exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not start: {log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # uvicorn's supervisor stops its workers on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def _database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a new database, initialised (schema, the CRM template, admin): a PostgreSQL schema, dropped
    afterwards, or a SQLite file."""
    if backend == "sqlite":
        url = f"sqlite:///{folder}/tangram.db"
        _initialise(url)
        yield url
        return
    with backends.schema_url() as url:
        _initialise(url)
        yield url


def _initialise(url: str) -> None:
    db = open_database(url)
    try:
        backends.stamp_head(db)
        init_database(db, Settings(database_url=url, admin_password=PASSWORD), out=lambda _line: None)
    finally:
        db.engine.dispose()


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if request.param not in backends.selected(request.config.getoption("--db")):
        pytest.skip(f"{request.param} is not among the databases chosen (--db / TANGRAM_TEST_DBS)")
    folder = tmp_path_factory.mktemp("cluster")
    with _database(request.param, folder) as url:
        yield from _processes(url, folder)


def _processes(url: str, folder: Path) -> Iterator[Cluster]:
    """Server A (`--workers 2`), server B (its own data directory) and a job worker on `url`, until closed."""
    common = {**os.environ, "PYTHONPATH": str(ROOT), "TANGRAM_DATABASE_URL": url, "TANGRAM_MIRROR": "off",
              "TANGRAM_SECRET_KEY": secrets.token_urlsafe(32),  # one key on every machine: sessions work on each
              "TANGRAM_EMBEDDED_WORKER": "false", "TANGRAM_EXPORT_BACKGROUND_ROWS": "0"}
    machine_a = {**common, "TANGRAM_DATA_DIR": str(folder / "a"), "TANGRAM_DATABASE_URL": ""}  # A: --db, below
    machine_b = {**common, "TANGRAM_DATA_DIR": str(folder / "b")}
    port_a, port_b = _free_port(), _free_port()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        a = _start(["serve", "--host", "127.0.0.1", "--port", str(port_a), "--workers", "2", "--db", url],
                   machine_a, folder / "a.log")  # its workers must get --db from it
        processes.append(a)
        b = _start(["serve", "--host", "127.0.0.1", "--port", str(port_b)], machine_b, folder / "b.log")
        processes.append(b)
        processes.append(_start(["worker", "--poll", "0.2", "--db", url], machine_a, folder / "worker.log"))
        base_a, base_b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
        _wait_until_live(base_a, a, folder / "a.log")
        _wait_until_live(base_b, b, folder / "b.log")
        admin = httpx.post(f"{base_b}/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        assert admin.status_code == 200, admin.text
        yield Cluster(base_a, base_b, admin.json()["access_token"])
    finally:
        for process in processes:
            _stop(process)


def eventually(check: Callable[[], bool], what: str) -> None:
    """Ask until `check` holds; fail naming `what` when it has not by the poll deadline."""
    deadline = time.monotonic() + POLL_SECONDS
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not seen within {POLL_SECONDS} s: {what}")
        time.sleep(0.1)


def _user(cluster: Cluster, **extra: Any) -> tuple[str, str]:
    """A new user made on A, signed in on B: (name, bearer token)."""
    name = f"u{uuid.uuid4().hex[:10]}"
    made = httpx.post(f"{cluster.a}/api/v1/users", json={"username": name, "password": PASSWORD, **extra},
                      headers=cluster.as_admin())
    assert made.status_code == 201, made.text
    login = httpx.post(f"{cluster.b}/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return name, login.json()["access_token"]


def _me(base: str, token: str) -> int:
    return httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def _app(key: str, *fields: str) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": key, "name": "一致性", "version": "1.0.0",
            "forms": [{"key": "item", "name": "物品", "title_field": "name",
                       "fields": [{"key": f, "type": "text", "label": f} for f in ("name", *fields)]}]}


def test_serve_with_two_workers_answers_on_one_port_from_two_processes(cluster: Cluster) -> None:
    pids: set[int] = set()
    eventually(lambda: pids.add(httpx.get(f"{cluster.a}/health/live").json()["pid"]) or len(pids) == 2,
               "two pids behind serve --workers 2")
    assert httpx.get(f"{cluster.b}/health/live").json()["pid"] not in pids


def test_a_version_published_on_one_server_is_current_on_the_other(cluster: Cluster) -> None:
    key = f"coh_{uuid.uuid4().hex[:8]}"
    assert httpx.post(f"{cluster.a}/api/v1/apps", json=_app(key), headers=cluster.as_admin()).status_code == 201
    assert httpx.get(f"{cluster.b}/api/v1/apps/{key}", headers=cluster.as_admin()).json()["version"] == 1
    published = httpx.put(f"{cluster.a}/api/v1/apps/{key}", json=_app(key, "colour"), headers=cluster.as_admin())
    assert published.status_code == 200, published.text
    eventually(lambda: httpx.get(f"{cluster.b}/api/v1/apps/{key}", headers=cluster.as_admin()).json()["version"] == 2,
               "version 2 on B")


def test_a_token_revoked_on_one_server_is_refused_by_the_other(cluster: Cluster) -> None:
    made = httpx.post(f"{cluster.a}/api/v1/tokens", json={"name": "coherence", "apps": ["crm"]},
                      headers=cluster.as_admin())
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert _me(cluster.b, token) == 200  # B now holds it in its cache
    assert httpx.delete(f"{cluster.a}/api/v1/tokens/{made.json()['id']}", headers=cluster.as_admin()).status_code == 200
    eventually(lambda: _me(cluster.b, token) == 401, "the revoked token refused by B")
    eventually(lambda: _me(cluster.a, token) == 401, "the revoked token refused by both of A's processes")


def test_a_user_deactivated_on_one_server_is_signed_out_of_the_other(cluster: Cluster) -> None:
    name, token = _user(cluster)
    assert _me(cluster.b, token) == 200
    off = httpx.patch(f"{cluster.a}/api/v1/users/{name}", json={"active": False}, headers=cluster.as_admin())
    assert off.status_code == 200, off.text
    eventually(lambda: _me(cluster.b, token) == 401, "the deactivated user refused by B")


def test_a_role_given_on_one_server_opens_the_form_on_the_other(cluster: Cluster) -> None:
    name, token = _user(cluster)
    records = f"{cluster.b}/api/v1/apps/crm/forms/customer/records"
    before = httpx.get(records, headers={"Authorization": f"Bearer {token}"})
    assert before.status_code in (403, 404), before.text
    given = httpx.put(f"{cluster.a}/api/v1/apps/crm/roles/sales_director/members", json={"users": [name]},
                      headers=cluster.as_admin())
    assert given.status_code == 200, given.text
    eventually(lambda: httpx.get(records, headers={"Authorization": f"Bearer {token}"}).status_code == 200,
               "the role's right on B")


def test_sessions_ended_on_one_server_are_refused_by_the_other(cluster: Cluster) -> None:
    name, _ = _user(cluster)
    signed_in = httpx.post(f"{cluster.a}/login", data={"username": name, "password": PASSWORD})
    assert signed_in.status_code == 303, signed_in.text
    cookie = {"tangram_session": signed_in.cookies["tangram_session"]}
    assert httpx.get(f"{cluster.b}/api/v1/me", cookies=cookie).status_code == 200  # one key on both machines
    ended = httpx.delete(f"{cluster.a}/api/v1/users/{name}/sessions", headers=cluster.as_admin())
    assert ended.status_code == 200 and ended.json()["ended"] >= 1, ended.text
    eventually(lambda: httpx.get(f"{cluster.b}/api/v1/me", cookies=cookie).status_code == 401,
               "the ended session refused by B")


def test_a_setting_changed_on_one_server_shows_on_the_other(cluster: Cluster) -> None:
    brand = f"七巧板-{uuid.uuid4().hex[:6]}"
    assert brand not in httpx.get(f"{cluster.b}/login").text
    changed = httpx.patch(f"{cluster.a}/api/v1/settings", json={"brand_name": brand}, headers=cluster.as_admin())
    assert changed.status_code == 200, changed.text
    eventually(lambda: brand in httpx.get(f"{cluster.b}/login").text, "the new brand name on B's pages")


def test_a_job_enqueued_through_a_server_is_done_by_the_worker(cluster: Cluster) -> None:
    key = f"job_{uuid.uuid4().hex[:8]}"
    assert httpx.post(f"{cluster.a}/api/v1/apps", json=_app(key), headers=cluster.as_admin()).status_code == 201
    made = httpx.post(f"{cluster.a}/api/v1/apps/{key}/forms/item/records", json={"data": {"name": "扳手"}},
                      headers=cluster.as_admin())
    assert made.status_code == 201, made.text
    started = httpx.post(f"{cluster.a}/api/v1/apps/{key}/forms/item/records/exports?format=csv",
                         headers=cluster.as_admin())
    assert started.status_code == 202, started.text  # in the background: no server runs jobs here
    status = f"{cluster.b}/api/v1/exports/{started.json()['id']}"
    eventually(lambda: httpx.get(status, headers=cluster.as_admin()).json()["status"] == "done",
               "the export made by the worker")


def test_serve_with_no_workers_is_refused_before_anything_opens(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0", "--db", f"sqlite:///{tmp_path}/never.db"]) == 1
    assert "--workers 0: at least 1" in capsys.readouterr().err
    assert not (tmp_path / "never.db").exists()
