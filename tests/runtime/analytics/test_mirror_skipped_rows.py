"""The mirror sync never wedges on one row: long values load, and a record whose value the mirror cannot
read is left out, logged once, counted in GET /mirror, and the rest keeps syncing; reports on its form
answer from the primary database until it is fixed. Issue 21, item 3."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from runtime.db.db import Database
from runtime.db.tables import records
from runtime.main import create_app
from runtime.settings import Settings
from tests.factories import Maker, shop

BY_LEVEL = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}], "measures": [{"agg": "count"}]}


@pytest.fixture
def always(db: Database, tmp_path: Any) -> Iterator[Maker]:
    """A server whose reports always use the mirror (TANGRAM_MIRROR=always)."""
    settings = Settings(data_dir=tmp_path, database_url="unused://", admin_password="admin-secret-1", mirror="always")
    app = create_app(settings, db)
    with TestClient(app) as client:
        yield Maker(app, client)


def _write_raw(db: Database, record_id: int, **values: Any) -> None:
    """Put values into a stored record past the engine, as data written before a limit existed would be."""
    with db.write() as conn:
        data = dict(conn.scalar(select(records.c.data).where(records.c.id == record_id)))
        conn.execute(update(records).where(records.c.id == record_id).values(data={**data, **values}))


def _sync(make: Maker) -> dict[str, Any]:
    r = make.client.post("/api/v1/mirror/sync", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _report(make: Maker, engine: str | None = None) -> dict[str, Any]:
    r = make.client.post("/api/v1/apps/shop/query" + (f"?engine={engine}" if engine else ""), json=BY_LEVEL,
                         headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["widgets"][0]  # type: ignore[no-any-return]


def test_a_text_longer_than_duckdbs_line_limit_reaches_the_mirror(always: Maker, db: Database) -> None:
    make = always
    make.app_def()
    first = make.record("customer", {"name": "甲", "level": "A"})
    make.record("customer", {"name": "乙", "level": "B"})
    _write_raw(db, first["id"], note="长" * 1_500_000)  # 4.5 MB of UTF-8 on one CSV line
    assert _sync(make)["skipped"] == 0
    make.record("customer", {"name": "丙", "level": "B"})  # and it keeps syncing after
    assert _sync(make)["skipped"] == 0
    mirrored = _report(make, "mirror")
    assert mirrored["rows"] == _report(make, "primary")["rows"] == [["A", 1], ["B", 2]]
    with make.app.state.mirror.read() as conn:
        assert conn.exec_driver_sql('SELECT length(note) FROM "shop__customer" WHERE id = ?',
                                    (first["id"],)).scalar() == 1_500_000


def test_a_row_the_mirror_cannot_read_is_left_out_counted_logged_once_and_the_rest_syncs(
        always: Maker, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    make = always
    make.app_def()
    bad = make.record("customer", {"name": "甲", "level": "A"})
    make.record("customer", {"name": "乙", "level": "B"})
    _sync(make)
    _write_raw(db, bad["id"], since="不是日期")  # no engine writes this: data from an older version, a hand edit
    r = make.client.patch(f"{make.url()}/{bad['id']}", json={"data": {"note": "改"}}, headers=make.admin)
    assert r.status_code == 200, r.text
    with caplog.at_level(logging.WARNING, logger="tangram.mirror"):
        assert _sync(make)["skipped"] == 1
        make.record("customer", {"name": "丙", "level": "B"})
        assert _sync(make)["skipped"] == 1
        assert _sync(make)["skipped"] == 1
    left_out = [m for m in caplog.messages if f"record {bad['id']} " in m]
    assert len(left_out) == 1 and "since" in left_out[0]
    state = make.client.get("/api/v1/mirror", headers=make.admin).json()
    assert state["skipped"] == 1
    assert state["tables"]["shop__customer"] == {"rows": 2, "skipped": 1}
    assert state["tables"]["shop__product"] == {"rows": 0, "skipped": 0}
    # the other records synced; reports on the form answer from the primary database, with every record
    assert _report(make, "mirror")["rows"] == [["B", 2]]
    chosen = _report(make)
    assert chosen["engine"] == "primary" and chosen["rows"] == [["A", 1], ["B", 2]]
    # fixed, the record is copied and the mirror answers again
    r = make.client.patch(f"{make.url()}/{bad['id']}", json={"data": {"since": "2026-01-02"}}, headers=make.admin)
    assert r.status_code == 200, r.text
    assert _sync(make)["skipped"] == 0
    chosen = _report(make)
    assert chosen["engine"] == "mirror" and chosen["rows"] == [["A", 1], ["B", 2]]


def test_a_full_build_leaves_out_only_the_unreadable_rows(always: Maker, db: Database) -> None:
    make = always
    make.app_def(shop())
    ids = [make.record("customer", {"name": f"客户{i}", "level": "ABC"[i % 3]})["id"] for i in range(6)]
    _write_raw(db, ids[1], since="2026-13-45")
    _write_raw(db, ids[4], since=["2026-01-01"])
    r = make.client.post("/api/v1/mirror/sync?full=true", headers=make.admin)
    assert r.status_code == 200 and r.json()["skipped"] == 2, r.text
    assert make.client.get("/api/v1/mirror", headers=make.admin).json()["tables"]["shop__customer"] == {
        "rows": 4, "skipped": 2}


def test_the_background_sync_logs_a_repeated_failure_once(monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    from runtime.analytics import refresher

    calls: list[int] = []
    loop = refresher.MirrorRefresher(None, None, 0)  # type: ignore[arg-type]

    def failing(*_: Any) -> Any:
        calls.append(1)
        if len(calls) == 6:
            loop._stop.set()
        if len(calls) in (4, 5):
            raise OSError("disk full")
        raise RuntimeError("Maximum line size of 2000000 bytes exceeded")

    monkeypatch.setattr(refresher, "sync", failing)
    with caplog.at_level(logging.INFO, logger="tangram.mirror"):
        loop._loop()
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(calls) == 6 and len(failures) == 3  # the first, the change to another error, and back
