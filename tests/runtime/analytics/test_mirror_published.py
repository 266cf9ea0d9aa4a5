"""A server that does not own the analytics mirror (issue 28) reads the copy its owner publishes: reports
answer from it as of the moment it is current, from the primary database (`engine: primary`) when it is
missing or older than mirror_snapshot_max_age; it never syncs (409), and `tangram mirror sync` is refused
while another process owns the mirror. The owner copies the file only when its data changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.analytics.mirror import Mirror
from runtime.analytics.owner import OwnerLock
from runtime.analytics.published import PublishedMirror, Publisher, read_pointer
from runtime.analytics.sync import sync
from runtime.cli import main
from runtime.db.db import Database
from tests.factories import Maker, shop

BY_LEVEL = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}], "measures": [{"agg": "count"}]}
T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def reader(app: Any, tmp_path: Path) -> Any:
    """The app as a server beside an owner: it reads the published copy in its data directory."""
    app.state.settings = app.state.settings.model_copy(update={"mirror": "always", "mirror_snapshot_max_age": 30})
    app.state.mirror = PublishedMirror(tmp_path)
    app.state.clock = lambda: T0 + timedelta(seconds=5)
    yield app
    app.state.mirror.close()


def _owner(db: Database, tmp_path: Path, now: datetime) -> tuple[Mirror, Publisher]:
    mirror = Mirror(tmp_path / "analytics.duckdb")
    sync(db, mirror, now)
    PublishedMirror(tmp_path).want()  # a reader asks for copies
    publisher = Publisher(mirror, spacing=0)
    publisher.after_sync(now)
    return mirror, publisher


def _widget(client: TestClient, make: Maker, engine: str = "") -> Any:
    return client.post(f"/api/v1/apps/shop/query{'?engine=' + engine if engine else ''}", json=BY_LEVEL,
                       headers=make.admin)


def test_without_a_published_copy_reports_answer_from_the_primary_database(reader: Any, client: TestClient,
                                                                           make: Maker) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    r = _widget(client, make)
    assert r.status_code == 200 and r.json()["widgets"][0]["engine"] == "primary"
    assert r.json()["widgets"][0]["rows"] == [["A", 1]]
    forced = _widget(client, make, "mirror")
    assert forced.status_code == 409 and forced.json()["error"]["code"] == "mirror_unavailable"
    state = client.get("/api/v1/mirror", headers=make.admin).json()
    assert state["owner"] is False and state["as_of"] is None and state["tables"] == {}
    assert client.get("/api/v1/health").json()["checks"]["mirror"] == {"ok": True, "lag_seconds": None, "owner": False}


def test_a_server_reads_the_owners_copy_as_of_its_moment_and_never_syncs(reader: Any, db: Database, client: TestClient,
                                                                         make: Maker, tmp_path: Path) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    mirror, _ = _owner(db, tmp_path, T0)
    make.record("customer", {"name": "乙", "level": "B"})  # after the copy: not in it
    widget = _widget(client, make).json()["widgets"][0]
    assert (widget["engine"], widget["rows"], widget["as_of"]) == ("mirror", [["A", 1]], "2026-12-06T09:00:00Z")
    state = client.get("/api/v1/mirror", headers=make.admin).json()
    assert state["owner"] is False and state["as_of"] == "2026-12-06T09:00:00Z"
    assert state["tables"]["shop__customer"] == {"rows": 1, "skipped": 0}
    assert client.get("/api/v1/health").json()["checks"]["mirror"]["lag_seconds"] == 5.0
    refused = client.post("/api/v1/mirror/sync", headers=make.admin)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "mirror_not_owner"
    mirror.close()


def test_a_copy_older_than_the_limit_gives_way_to_the_primary_database(reader: Any, db: Database, client: TestClient,
                                                                       make: Maker, tmp_path: Path) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    mirror, _ = _owner(db, tmp_path, T0)
    reader.state.clock = lambda: T0 + timedelta(seconds=31)  # the owner stopped 31 s ago
    widget = _widget(client, make).json()["widgets"][0]
    assert widget["engine"] == "primary" and widget["rows"] == [["A", 1]]
    forced = _widget(client, make, "mirror").json()["widgets"][0]  # forced: the copy, saying how old it is
    assert forced["engine"] == "mirror" and forced["as_of"] == "2026-12-06T09:00:00Z"
    mirror.close()


def test_the_owner_copies_only_after_a_change_and_keeps_two_copies(db: Database, app: Any, make: Maker,
                                                                   tmp_path: Path) -> None:
    make.app_def(shop())
    mirror, publisher = _owner(db, tmp_path, T0)
    first = read_pointer(tmp_path)
    sync(db, mirror, T0 + timedelta(seconds=1))
    publisher.after_sync(T0 + timedelta(seconds=1))  # nothing changed: the same copy, current as of later
    assert read_pointer(tmp_path) == first.__class__(first.file, T0 + timedelta(seconds=1))  # type: ignore[union-attr]
    names = set()
    for second in (2, 3, 4):
        make.record("customer", {"name": f"客户{second}", "level": "A"})
        sync(db, mirror, T0 + timedelta(seconds=second))
        publisher.after_sync(T0 + timedelta(seconds=second))
        names.add(read_pointer(tmp_path).file)  # type: ignore[union-attr]
    assert len(names) == 3 and first.file not in names  # type: ignore[union-attr]
    assert len(list(tmp_path.glob("analytics.snapshot-*.duckdb"))) == 2
    mirror.close()


def test_the_owner_publishes_nothing_while_no_reader_asks(db: Database, app: Any, make: Maker, tmp_path: Path) -> None:
    make.app_def(shop())
    mirror = Mirror(tmp_path / "analytics.duckdb")
    sync(db, mirror, T0)
    Publisher(mirror, spacing=0).after_sync(T0)  # a single server: nobody beside it reads copies
    assert read_pointer(tmp_path) is None and not list(tmp_path.glob("analytics.snapshot-*"))
    mirror.close()


def test_mirror_sync_is_refused_while_another_process_owns_the_mirror(db: Database, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TANGRAM_DATA_DIR", str(tmp_path))
    url = db.engine.url.render_as_string(hide_password=False)
    if db.dialect == "postgresql":
        pytest.skip("the command's --db takes a URL: the test's PostgreSQL schema is a connection option")
    owner = OwnerLock(tmp_path)
    assert owner.take()
    assert main(["mirror", "sync", "--db", url]) == 1
    assert "owned by process" in capsys.readouterr().err
    owner.release()
    assert main(["mirror", "sync", "--db", url]) == 0
    assert read_pointer(tmp_path) is not None  # the command publishes what it synced
