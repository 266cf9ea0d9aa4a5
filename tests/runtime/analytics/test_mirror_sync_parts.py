"""A sync of many changes applied in parts (runtime/analytics/sync.py PART): each part committed with its
watermark, a reader between two parts sees a prefix of the changes, a sync stopped between parts is resumed,
and the mirror ends as one sync of everything leaves it (issue 26: the sync of an import's 100,000 rows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from runtime.analytics import sync as syncing
from runtime.analytics.mirror import Mirror
from runtime.analytics.owner import server_mirror
from runtime.analytics.published import PublishedMirror
from runtime.analytics.sync import sync
from runtime.db.db import Database
from runtime.db.tables import record_history
from runtime.settings import Settings
from tests.factories import Maker, shop

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=1)


def _top(db: Database) -> int:
    with db.read() as conn:
        return int(conn.scalar(select(func.max(record_history.c.id))) or 0)


def _contents(mirror: Mirror) -> list[Any]:
    with mirror.read() as conn:
        return sorted(tuple(r) for r in conn.execute(text('SELECT id, name, level, version FROM "shop__customer"')))


def _seen(mirror: Mirror) -> tuple[int | None, int, datetime | None]:
    """What another reader of the mirror sees now: (watermark, customers counted, synced_at)."""
    with mirror.read() as conn:
        state = mirror.state(conn)
    return state.watermark, state.tables["shop__customer"][1], state.synced_at


def _changes(make: Maker, client: TestClient) -> None:
    """Ten history rows after the first sync: six creates, two updates of them, one delete, one more create."""
    made = [make.record("customer", {"name": f"客户{i}", "level": "A"}) for i in range(6)]
    for r in made[:2]:
        client.patch(f"{make.url()}/{r['id']}", json={"data": {"level": "B"}}, headers=make.admin)
    client.delete(f"{make.url()}/{made[2]['id']}", headers=make.admin)
    make.record("customer", {"name": "新", "level": "C"})


def _synced_then_changed(make: Maker, client: TestClient, app: Any, db: Database,
                         name: str) -> tuple[Mirror, Mirror, int]:
    """The mirror `name` and one to compare it with, both synced at T0; then ten changes. The last history
    id before the changes."""
    make.app_def(shop())
    folder = Path(app.state.settings.data_dir)
    mirror, whole = Mirror(folder / f"{name}.duckdb"), Mirror(folder / "whole.duckdb")
    sync(db, mirror, T0)
    sync(db, whole, T0)
    start = _top(db)
    _changes(make, client)
    return mirror, whole, start


def test_many_changes_are_committed_a_part_at_a_time_and_end_as_one_sync(make: Maker, client: TestClient, app: Any,
                                                                          db: Database,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    parted, whole, start = _synced_then_changed(make, client, app, db, "parted")
    assert _top(db) == start + 10
    monkeypatch.setattr(syncing, "PART", 4)
    seen: list[tuple[int | None, int, datetime | None]] = []
    applied = syncing._apply_changes

    def watched(*args: Any, **kw: Any) -> Any:
        seen.append(_seen(parted))  # before each part: what the parts before it committed
        return applied(*args, **kw)

    monkeypatch.setattr(syncing, "_apply_changes", watched)
    result = sync(db, parted, T1)
    monkeypatch.setattr(syncing, "_apply_changes", applied)
    # parts of 4, 4 and 2 history rows; between them a reader sees the first 4, then 8 changes applied,
    # and the previous sync's moment (the mirror is at least that new), the new one with the last part
    t0 = T0.replace(tzinfo=None)
    assert seen == [(start, 0, t0), (start + 4, 3, t0), (start + 8, 5, t0)]
    assert _seen(parted) == (start + 10, 6, T1.replace(tzinfo=None))
    # each part copies its records' current rows: 客户2, deleted by the third part's change, is gone from the first
    assert (result.changed, result.removed, result.watermark, result.gaps) == (8, 2, start + 10, 0)
    monkeypatch.setattr(syncing, "PART", 10_000)
    assert sync(db, whole, T1).watermark == start + 10
    assert _contents(parted) == _contents(whole) and len(_contents(whole)) == 6
    assert _seen(parted) == _seen(whole)
    parted.close()
    whole.close()


def test_a_sync_stopped_between_two_parts_is_resumed_by_the_next(make: Maker, client: TestClient, app: Any,
                                                                 db: Database,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    mirror, whole, start = _synced_then_changed(make, client, app, db, "stopped")
    monkeypatch.setattr(syncing, "PART", 4)
    applied = syncing._apply_changes
    calls: list[int] = []

    def stopping(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the process stopped")  # after the first part's commit
        return applied(*args, **kw)

    monkeypatch.setattr(syncing, "_apply_changes", stopping)
    generation = mirror.generation
    with pytest.raises(RuntimeError):
        sync(db, mirror, T1)
    assert _seen(mirror) == (start + 4, 3, T0.replace(tzinfo=None))
    assert mirror.generation == generation + 1  # the committed part is published with the next copy
    monkeypatch.setattr(syncing, "_apply_changes", applied)
    result = sync(db, mirror, T1)
    assert (result.watermark, result.gaps) == (start + 10, 0)
    sync(db, whole, T1)
    assert _contents(mirror) == _contents(whole)
    assert _seen(mirror) == _seen(whole)
    mirror.close()
    whole.close()


def test_the_servers_mirror_has_the_configured_duckdb_memory_limit(make: Maker, client: TestClient, app: Any,
                                                                    db: Database, tmp_path: Path) -> None:
    settings = app.state.settings.model_copy(update={"mirror_memory_limit": "128MB"})
    app.state.settings = settings  # before the app opens its mirror (on first use)
    assert client.get("/api/v1/mirror", headers=make.admin).status_code == 200
    mirror, refresher = server_mirror(settings.model_copy(update={"data_dir": tmp_path / "served"}), db, True)
    published = PublishedMirror(tmp_path / "served", settings.mirror_memory_limit)
    for opened in (app.state.mirror, mirror):
        with opened.read() as conn:
            assert conn.exec_driver_sql("SELECT current_setting('memory_limit')").scalar() == "122.0 MiB"
    assert published.memory_limit == "128MB" and refresher is not None
    refresher.stop()
    app.state.mirror.close()


def test_a_mirror_memory_limit_that_is_not_a_size_is_refused() -> None:
    with pytest.raises(ValueError):
        Settings(mirror_memory_limit="1'; SELECT 1; --")
