"""The analytics mirror: built from the form definitions, kept current change by change (updates,
deletes, restores, derived values, late commits), rebuilt when a form changes, never more than
mirror_max_lag behind a dashboard, and synced on demand by endpoint and CLI."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import literal_column, select, text, update

from engine.expr.evaluate import EvalContext
from runtime.analytics.mirror import Mirror
from runtime.analytics.run import ReportContext, run_widget
from runtime.analytics.sync import sync
from runtime.apps import definitions
from runtime.cli import main
from runtime.db.db import Database
from runtime.db.tables import record_history, records
from tests.factories import Maker, shop

COUNT_BY_LEVEL = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
                  "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]}
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _rows(client: TestClient, make: Maker, engine: str, widget: dict[str, Any] = COUNT_BY_LEVEL,
          app: str = "shop") -> list[Any]:
    r = client.post(f"/api/v1/apps/{app}/query?engine={engine}", json=widget, headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["widgets"][0]["rows"]  # type: ignore[no-any-return]


def _sync(client: TestClient, make: Maker, full: bool = False) -> dict[str, Any]:
    r = client.post(f"/api/v1/mirror/sync{'?full=true' if full else ''}", headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_the_first_sync_builds_one_typed_table_per_form(client: TestClient, make: Maker, app: Any) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A", "amount": "10.50", "since": "2026-01-02"})
    result = _sync(client, make)
    assert sorted(result["rebuilt"]) == ["shop__customer", "shop__product"]
    state = client.get("/api/v1/mirror", headers=make.admin).json()
    assert state["tables"] == {"shop__customer": {"rows": 1, "skipped": 0}, "shop__product": {"rows": 0, "skipped": 0}}
    with app.state.mirror.read() as conn:
        types = dict(conn.execute(text("SELECT column_name, data_type FROM information_schema.columns "
                                       "WHERE table_name = 'shop__customer'")).all())
    assert types["amount"] == "DECIMAL(18,2)" and types["since"] == "DATE" and types["created_at"] == "TIMESTAMP"


def test_updates_deletes_and_restores_reach_the_mirror(client: TestClient, make: Maker) -> None:
    make.app_def(shop())
    a = make.record("customer", {"name": "甲", "level": "A", "amount": "10.50"})
    b = make.record("customer", {"name": "乙", "level": "B", "amount": "1.00"})
    assert _rows(client, make, "mirror") == [["A", 1, 10.5], ["B", 1, 1]]
    client.patch(f"{make.url()}/{a['id']}", json={"data": {"level": "B"}}, headers=make.admin)
    client.delete(f"{make.url()}/{b['id']}", headers=make.admin)
    result = _sync(client, make)
    assert (result["changed"], result["removed"], result["rebuilt"]) == (1, 1, [])
    assert _rows(client, make, "mirror") == [["B", 1, 10.5]]
    client.post(f"{make.url()}/{b['id']}/restore", headers=make.admin)
    assert _rows(client, make, "mirror") == _rows(client, make, "primary") == [["B", 2, 11.5]]


def test_a_sync_of_many_changes_across_chunks_leaves_exactly_the_primary_rows(client: TestClient, make: Maker,
                                                                             app: Any, db: Database,
                                                                             monkeypatch: Any) -> None:
    from runtime.analytics import sync as module

    monkeypatch.setattr(module, "_CHUNK", 4)  # the ids are read and copied in several chunks
    make.app_def(shop())
    made = [make.record("customer", {"name": f"客户{i}", "level": "A"}) for i in range(10)]
    _sync(client, make)
    for r in made[:6]:
        client.patch(f"{make.url()}/{r['id']}", json={"data": {"level": "B"}}, headers=make.admin)
    for r in made[6:9]:
        client.delete(f"{make.url()}/{r['id']}", headers=make.admin)
    client.post(f"{make.url()}/{made[8]['id']}/restore", headers=make.admin)
    make.record("customer", {"name": "新", "level": "C"})
    brief = make.record("customer", {"name": "瞬", "level": "C"})  # created and deleted between two syncs
    client.delete(f"{make.url()}/{brief['id']}", headers=make.admin)
    result = _sync(client, make)
    assert (result["changed"], result["removed"]) == (8, 3)
    with db.read() as conn:
        primary = sorted((r.id, r.data["name"], r.data["level"]) for r in conn.execute(
            select(records).where(records.c.app == "shop", records.c.form == "customer", records.c.deleted_at.is_(None))))
    with app.state.mirror.read() as conn:
        mirrored = sorted(tuple(r) for r in conn.execute(text('SELECT id, name, level FROM "shop__customer"')))
    assert mirrored == primary and len(primary) == 9
    assert client.get("/api/v1/mirror", headers=make.admin).json()["tables"]["shop__customer"] == {"rows": 9, "skipped": 0}


def test_a_mirror_ahead_of_the_primary_database_is_rebuilt_and_then_follows_it(client: TestClient, make: Maker,
                                                                               app: Any, db: Database) -> None:
    # The primary restored from an earlier backup, or the mirror file of another database: its
    # watermark is past every history id, and the changes written next must not be skipped.
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    _sync(client, make)
    mirror: Mirror = app.state.mirror
    with mirror.write() as mconn:
        state = mirror.state(mconn)
        state.watermark = (state.watermark or 0) + 1000
        mirror.save_state(mconn, state)
    assert sorted(_sync(client, make)["rebuilt"]) == ["shop__customer", "shop__product"]
    make.record("customer", {"name": "乙", "level": "B"})
    assert _sync(client, make)["changed"] == 1
    assert _rows(client, make, "mirror") == _rows(client, make, "primary") == [["A", 1, None], ["B", 1, None]]


def test_a_changed_form_definition_rebuilds_its_table_only(client: TestClient, make: Maker) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    _sync(client, make)
    changed = shop()
    changed["forms"][0]["fields"].append({"key": "score", "type": "number", "label": "评分"})
    assert client.put("/api/v1/apps/shop", json=changed, headers=make.admin).status_code == 200
    make.record("customer", {"name": "乙", "level": "A", "score": 7})
    assert _sync(client, make)["rebuilt"] == ["shop__customer"]
    widget = {"type": "table", "form": "customer", "dimensions": [{"field": "level"}],
              "measures": [{"agg": "sum", "field": "score"}]}
    assert _rows(client, make, "mirror", widget) == _rows(client, make, "primary", widget) == [["A", 7]]


def test_derived_values_follow_the_record_they_derive_from(client: TestClient, make: Maker) -> None:
    definition = shop()
    definition["forms"][1]["fields"] += [
        {"key": "maker", "type": "relation", "label": "客户", "target": "customer"},
        {"key": "maker_level", "type": "lookup", "label": "客户等级", "relation": "maker", "field": "level"}]
    definition["forms"][0]["fields"].append({"key": "product_total", "type": "rollup", "label": "产品总价",
                                             "source": {"form": "product", "field": "maker"}, "agg": "sum",
                                             "of": "price"})
    make.app_def(definition)
    customer = make.record("customer", {"name": "甲", "level": "A"})
    make.record("product", {"title": "螺丝", "price": "2.50", "maker": customer["id"]})
    _sync(client, make)
    client.patch(f"{make.url()}/{customer['id']}", json={"data": {"level": "C"}}, headers=make.admin)
    make.record("product", {"title": "螺母", "price": "1.25", "maker": customer["id"]})
    by_level = {"type": "bar", "form": "product", "dimensions": [{"field": "maker_level"}], "measures": [{"agg": "count"}]}
    assert _rows(client, make, "mirror", by_level) == _rows(client, make, "primary", by_level) == [["C", 2]]
    totals = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
              "measures": [{"agg": "sum", "field": "product_total"}]}
    assert _rows(client, make, "mirror", totals) == _rows(client, make, "primary", totals) == [["C", 3.75]]


def _create_history_gap(db: Database) -> None:
    """Move the newest history row up by 100 ids, as if 100 transactions were still open below it."""
    with db.write() as conn:
        top = conn.scalar(select(record_history.c.id).order_by(record_history.c.id.desc()).limit(1))
        conn.execute(update(record_history).where(record_history.c.id == top).values(id=top + 100))


def test_a_change_committed_late_with_a_lower_history_id_is_still_applied(client: TestClient, make: Maker,
                                                                          app: Any, db: Database) -> None:
    make.app_def(shop())
    a = make.record("customer", {"name": "甲", "level": "A"})
    make.record("customer", {"name": "乙", "level": "A"})
    _sync(client, make)
    make.record("customer", {"name": "丙", "level": "A"})
    _create_history_gap(db)
    assert _sync(client, make)["gaps"] >= 99
    with db.write() as conn:  # the "late" transaction: its history id lies below the watermark
        top = conn.scalar(select(record_history.c.id).order_by(record_history.c.id.desc()).limit(1))
        row = conn.execute(select(records).where(records.c.id == a["id"])).one()
        conn.execute(update(records).where(records.c.id == a["id"]).values(data=row.data | {"level": "B"}, version=2))
        conn.execute(record_history.insert().values(id=top - 50, record_id=a["id"], version=2, action="update",
                                                    changed=["level"], data=row.data | {"level": "B"}, at=T0, by="x"))
    _sync(client, make)
    assert _rows(client, make, "mirror") == [["A", 2, None], ["B", 1, None]]


def test_gaps_are_forgotten_after_the_longest_transaction_time(make: Maker, app: Any, db: Database) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲"})
    mirror: Mirror = Mirror(Path(app.state.settings.data_dir) / "m.duckdb")
    sync(db, mirror, T0)
    make.record("customer", {"name": "乙"})
    _create_history_gap(db)
    assert sync(db, mirror, T0).gaps == 100
    assert sync(db, mirror, T0 + timedelta(minutes=5)).gaps == 100
    assert sync(db, mirror, T0 + timedelta(minutes=11)).gaps == 0
    mirror.close()


def test_a_concurrent_transaction_committing_after_a_sync_is_not_lost(backend: str, make: Maker, app: Any,
                                                                      db: Database) -> None:
    if backend != "postgresql":
        pytest.skip("only PostgreSQL commits writers out of id order")
    make.app_def(shop())
    mirror = Mirror(Path(app.state.settings.data_dir) / "m.duckdb")
    sync(db, mirror, T0)
    from runtime.records import records as storage
    from runtime.records.context import SYSTEM, Change

    with db.engine.connect() as slow:
        with slow.begin():
            ref = definitions.form_ref(slow, "shop", "customer")
            storage.create(slow, ref, {"name": "慢", "level": "A"}, Change(SYSTEM))  # takes the lower history id
            with db.write() as fast:
                storage.create(fast, ref, {"name": "快", "level": "B"}, Change(SYSTEM))
            sync(db, mirror, T0)  # sees 快 only
        sync(db, mirror, T0)
    with mirror.read() as conn:
        assert sorted(conn.execute(text('SELECT name FROM "shop__customer"')).scalars()) == ["快", "慢"]
    mirror.close()


def test_a_dashboard_is_never_more_than_the_maximum_lag_behind(client: TestClient, make: Maker, app: Any) -> None:
    app.state.settings = app.state.settings.model_copy(update={"mirror": "always", "mirror_max_lag": 2.0})
    now = [T0]
    app.state.clock = lambda: now[0]
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    first = client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL, headers=make.admin).json()["widgets"][0]
    assert (first["engine"], first["as_of"], first["rows"]) == ("mirror", "2026-11-24T02:00:00Z", [["A", 1, None]])
    make.record("customer", {"name": "乙", "level": "A"})
    now[0] = T0 + timedelta(seconds=1)
    within = client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL, headers=make.admin).json()["widgets"][0]
    assert (within["as_of"], within["rows"]) == ("2026-11-24T02:00:00Z", [["A", 1, None]])
    now[0] = T0 + timedelta(seconds=2)
    later = client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL, headers=make.admin).json()["widgets"][0]
    assert (later["as_of"], later["rows"]) == ("2026-11-24T02:00:02Z", [["A", 2, None]])


def test_auto_mode_uses_the_mirror_only_for_forms_with_many_records(client: TestClient, make: Maker,
                                                                    app: Any) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    make.record("customer", {"name": "乙", "level": "A"})
    _sync(client, make)
    app.state.settings = app.state.settings.model_copy(update={"mirror_min_rows": 3})
    assert client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL,
                       headers=make.admin).json()["widgets"][0]["engine"] == "primary"
    app.state.settings = app.state.settings.model_copy(update={"mirror_min_rows": 2})
    assert client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL,
                       headers=make.admin).json()["widgets"][0]["engine"] == "mirror"
    app.state.settings = app.state.settings.model_copy(update={"mirror": "off"})
    assert client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL,
                       headers=make.admin).json()["widgets"][0]["engine"] == "primary"


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_a_row_scope_clause_limits_what_a_report_counts(make: Maker, app: Any, db: Database, engine: str) -> None:
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    zhangs = make.record("customer", {"name": "乙", "level": "B"})
    with db.write() as conn:
        conn.execute(update(records).where(records.c.id == zhangs["id"]).values(owner="zhang"))
    with db.read() as conn:
        definition, _ = definitions.current(conn, "shop")
    from engine.reports.model import Widget

    widget = Widget.model_validate({"key": "w", **COUNT_BY_LEVEL})
    rc = ReportContext(db, Mirror(Path(app.state.settings.data_dir) / "scope.duckdb"), app.state.settings,
                       EvalContext(now=T0), scope=literal_column("owner") == "zhang")
    assert run_widget(rc, definition, widget, {}, engine)["rows"] == [["B", 1, None]]
    rc.mirror.close()


def test_tangram_mirror_sync_prints_what_it_did(tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("TANGRAM_DATA_DIR", str(tmp_path))
    app_file = tmp_path / "shop.json"
    app_file.write_text(json.dumps(copy.deepcopy(shop()), ensure_ascii=False), encoding="utf-8")
    assert main(["db", "upgrade", "--db", url]) == 0
    assert main(["app", "import", str(app_file), "--db", url]) == 0
    capsys.readouterr()
    assert main(["mirror", "sync", "--db", url]) == 0
    result = json.loads(capsys.readouterr().out)
    assert sorted(result["rebuilt"]) == ["shop__customer", "shop__product"]
    assert main(["mirror", "sync", "--db", url]) == 0
    assert json.loads(capsys.readouterr().out)["rebuilt"] == []
    assert (tmp_path / "analytics.duckdb").exists()


def test_an_unusable_mirror_file_degrades_to_the_primary_database(client: TestClient, make: Maker, app: Any,
                                                                  tmp_path: Path) -> None:
    app.state.settings = app.state.settings.model_copy(update={"mirror": "always"})
    (tmp_path / "broken").mkdir()
    app.state.mirror = Mirror(tmp_path / "broken")  # a directory: DuckDB cannot open it
    make.app_def(shop())
    make.record("customer", {"name": "甲", "level": "A"})
    widget = client.post("/api/v1/apps/shop/query", json=COUNT_BY_LEVEL, headers=make.admin).json()["widgets"][0]
    assert (widget["engine"], widget["rows"]) == ("primary", [["A", 1, None]])


def test_the_server_background_sync_keeps_syncing_after_a_failed_round(make: Maker, app: Any, db: Database,
                                                                       monkeypatch: Any) -> None:
    from runtime.analytics import refresher as module

    make.app_def(shop())
    make.record("customer", {"name": "甲"})
    mirror = Mirror(Path(app.state.settings.data_dir) / "bg.duckdb")
    background = module.MirrorRefresher(db, mirror, 3600)
    rounds: list[str] = []

    def one_round(*args: Any, **kwargs: Any) -> Any:
        rounds.append("round")
        if len(rounds) == 1:
            raise RuntimeError("the database restarted")
        background._stop.set()  # the second round is the last: no waiting on the interval
        return sync(*args, **kwargs)

    monkeypatch.setattr(module, "sync", one_round)
    background._stop.clear()
    monkeypatch.setattr(background._stop, "wait", lambda timeout: None)
    background._loop()
    assert rounds == ["round", "round"]
    with mirror.read() as conn:
        assert mirror.state(conn).tables["shop__customer"][1] == 1
    mirror.close()


def test_a_sync_reads_sqlite_through_its_default_page_cache(client: TestClient, make: Maker,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync reads each changed record once: the 64 MB cache of a pooled connection was ~60 MiB of the
    server's memory after an import of 100,000 rows (issue 26), for nothing."""
    from runtime.analytics import sync as syncing

    db: Database = make.app.state.db
    if db.dialect != "sqlite":
        pytest.skip("SQLite's page cache")
    seen: list[int] = []
    applied = syncing._apply_changes

    def watched(conn: Any, *args: Any, **kw: Any) -> Any:
        seen.append(int(conn.exec_driver_sql("PRAGMA cache_size").scalar()))
        return applied(conn, *args, **kw)

    make.app_def(shop())
    _sync(client, make)
    make.record("customer", {"name": "甲", "level": "A", "amount": "10.50"})
    monkeypatch.setattr(syncing, "_apply_changes", watched)
    assert _sync(client, make)["changed"] == 1
    assert seen == [-2000]
    with db.read() as conn:  # the pool's connections keep their cache for everything else
        assert int(conn.exec_driver_sql("PRAGMA cache_size").scalar()) == -65536
