"""An import stores its rows in short transactions as staged records that no reader sees, and publishes
them all at once: all or nothing for lists, get by id, search, history, exports, reports, the mirror,
the audit log and flows; a failure leaves nothing staged, and the batch of an import that died is
removed by the job worker (runtime/records/staging.py, docs/security.md "Imports and other writers")."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from runtime.apps import definitions
from runtime.db.db import Database, busy
from runtime.db.tables import flow_instances, records
from runtime.io import imports
from runtime.jobs import worker
from runtime.records import staging
from runtime.records.context import SYSTEM, Change
from runtime.settings import Settings
from tests.factories import Maker, shop
from tests.flows import tickets
from tests.live import serve

BY_LEVEL = {"type": "bar", "form": "customer", "dimensions": [{"field": "level"}], "measures": [{"agg": "count"}]}


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(http: Any, make: Maker, content: bytes, app: str = "shop", form: str = "customer") -> httpx.Response:
    return http.post(f"{make.url(form, app)}/import", headers=make.admin,  # type: ignore[no-any-return]
                     files={"file": ("导入.csv", content, "text/csv")})


def _customers(count: int) -> bytes:
    return _csv([["客户名称", "等级"]] + [[f"导入客户{i}", "B"] for i in range(count)])


def _staged_ids(db: Database) -> list[int]:
    with db.read() as conn:
        return list(conn.scalars(select(records.c.id).where(records.c.version == staging.STAGED_VERSION)
                                 .order_by(records.c.id)))


def _documents(db: Database, ids: list[int]) -> list[int]:
    """The search documents of these records."""
    key = "id" if db.dialect == "postgresql" else "rowid"
    with db.read() as conn:
        return [i for (i,) in conn.execute(text(f"SELECT {key} FROM record_search")) if i in ids]


def _held_before_publish(monkeypatch: pytest.MonkeyPatch, rows: int) -> tuple[threading.Event, threading.Event]:
    """Two rows a chunk; the import stops after its last chunk, before it publishes, until `go` is set
    (`staged` says it got there). It waits outside any transaction, as between two chunks."""
    staged, go = threading.Event(), threading.Event()
    calls: list[int] = []
    let_others_write = Database.let_others_write

    def hold(self: Database, most: float = 1.0) -> None:
        calls.append(1)
        if len(calls) == -(-rows // 2):  # one call between two chunks, one before the publish
            staged.set()
            assert go.wait(60)
        let_others_write(self, most)

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(Database, "let_others_write", hold)
    return staged, go


def _while_staged(make: Maker, monkeypatch: pytest.MonkeyPatch, content: bytes, rows: int,
                  look: Callable[[], Any], app: str = "shop", form: str = "customer") -> tuple[Any, httpx.Response]:
    """Upload over HTTP; once every row is staged, `look` (through make.client), then let it publish."""
    staged, go = _held_before_publish(monkeypatch, rows)
    with serve(make.app) as base, httpx.Client(base_url=base, timeout=120) as http, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_upload, http, make, content, app, form)
        assert staged.wait(60)
        try:
            seen = look()
        finally:
            go.set()
        return seen, pending.result()


def _what_readers_see(make: Maker, ids: list[int]) -> dict[str, Any]:
    c, h, url = make.client, make.admin, make.url()

    def report(engine: str) -> Any:
        if engine == "mirror":
            assert c.post("/api/v1/mirror/sync", headers=h).status_code == 200
        r = c.post(f"/api/v1/apps/shop/query?engine={engine}", json=BY_LEVEL, headers=h)
        return sorted(r.json()["widgets"][0]["rows"])

    export = c.get(f"{url}/export", params={"format": "csv"}, headers=h)
    return {
        "list": sorted(i["data"]["name"] for i in c.get(url, params={"limit": 100}, headers=h).json()["items"]),
        "get": [c.get(f"{url}/{i}", headers=h).status_code for i in ids],
        "history": [c.get(f"{url}/{i}/history", headers=h).status_code for i in ids],
        "search": sorted(i["data"]["name"] for i in c.get(url, params={"q": "导入客户"}, headers=h).json()["items"]),
        "export lines": len(export.text.strip().splitlines()),
        "primary": report("primary"),
        "mirror": report("mirror"),
        "audited creates": len(c.get("/api/v1/audit", params={"action": "record.create"}, headers=h).json()["items"]),
    }


def test_staged_rows_are_seen_by_no_list_get_search_export_report_or_mirror_until_all_are_published(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def()
    make.record("customer", {"name": "老客户", "level": "A"})
    db = make.app.state.db
    staged: list[int] = []

    def look() -> dict[str, Any]:
        staged.extend(_staged_ids(db))
        return _what_readers_see(make, staged)

    seen, r = _while_staged(make, monkeypatch, _customers(5), 5, look)
    assert len(staged) == 5
    assert seen == {"list": ["老客户"], "get": [404] * 5, "history": [404] * 5, "search": [], "export lines": 2,
                    "primary": [["A", 1]], "mirror": [["A", 1]], "audited creates": 1}
    assert r.status_code == 201, r.text
    assert r.json()["ids"] == staged and _staged_ids(db) == []
    names = [f"导入客户{i}" for i in range(5)]
    assert _what_readers_see(make, staged) == {
        "list": sorted(["老客户", *names]), "get": [200] * 5, "history": [200] * 5, "search": sorted(names),
        "export lines": 7, "primary": [["A", 1], ["B", 5]], "mirror": [["A", 1], ["B", 5]], "audited creates": 6}
    [first] = make.client.get(f"{make.url()}/{staged[0]}/history", headers=make.admin).json()["items"]
    assert first["action"] == "create" and {"name", "level"} <= set(first["changed"])
    entry = make.client.get("/api/v1/audit", params={"record": staged[0]}, headers=make.admin).json()["items"]
    assert [(e["action"], e["form"]) for e in entry] == [("record.create", "customer")]
    assert {"name", "level"} <= set(entry[0]["detail"]["fields"])


def test_a_value_being_imported_is_reserved_a_create_of_it_meanwhile_is_409_and_the_import_succeeds(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Staged rows are in the unique indexes from their chunk on: uniqueness holds between the import and
    other writers whoever comes first, and the import never fails at its publish for it."""
    make.app_def()

    def create() -> int:
        return make.client.post(make.url(), json={"data": {"name": "导入客户3"}}, headers=make.admin).status_code

    created, r = _while_staged(make, monkeypatch, _customers(5), 5, create)
    assert created == 409
    assert r.status_code == 201, r.text
    names = [i["data"]["name"] for i in make.client.get(make.url(), params={"limit": 10}, headers=make.admin).json()["items"]]
    assert sorted(names) == [f"导入客户{i}" for i in range(5)]
    assert _staged_ids(make.app.state.db) == []


def test_a_unique_value_created_between_two_chunks_refuses_the_import_by_row_and_leaves_nothing_staged(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def()
    db = make.app.state.db
    let_others_write, calls = Database.let_others_write, []

    def create_after_first_chunk(self: Database, most: float = 1.0) -> None:
        calls.append(1)
        if len(calls) == 1:  # rows 2–3 are staged; 导入客户4 (spreadsheet row 6) is not yet
            make.record("customer", {"name": "导入客户4"})
        let_others_write(self, most)

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(Database, "let_others_write", create_after_first_chunk)
    r = _upload(make.client, make, _customers(6))
    assert r.status_code == 409, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("rows[6].name", "unique_violation")]
    assert [i["data"]["name"] for i in make.client.get(make.url(), headers=make.admin).json()["items"]] == ["导入客户4"]
    assert _staged_ids(db) == []


def test_a_failure_in_a_late_chunk_leaves_nothing_visible_and_nothing_staged(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def()
    db = make.app.state.db
    stage, chunks, written = staging.stage, [], []

    def failing_third(conn: Any, *args: Any, **kwargs: Any) -> Any:
        chunks.append(1)
        if len(chunks) == 3:
            raise busy()  # the database kept busy past the lock wait
        made = stage(conn, *args, **kwargs)
        written.extend(r.id for r in made)
        return made

    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    monkeypatch.setattr(staging, "stage", failing_third)
    r = _upload(make.client, make, _customers(7))
    assert r.status_code == 503, r.text
    assert len(written) == 4  # two chunks were committed before the failure
    assert _what_readers_see(make, written) == {
        "list": [], "get": [404] * 4, "history": [404] * 4, "search": [], "export lines": 1, "primary": [],
        "mirror": [], "audited creates": 0}
    assert _staged_ids(db) == [] and _documents(db, written) == []
    monkeypatch.setattr(staging, "stage", stage)  # and the same file imports once the database is free
    assert _upload(make.client, make, _customers(7)).status_code == 201
    assert len(make.client.get(make.url(), headers=make.admin).json()["items"]) == 7


HOOKED = tickets({"key": "hook", "name": "推送", "form": "ticket", "trigger": {"on": "create"},
                  "steps": [{"type": "action", "action": "webhook", "url": "http://127.0.0.1:9/hook",
                             "body": {"s": "summary"}}]})


def test_flows_and_webhooks_of_imported_rows_start_only_when_the_import_publishes_them(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def(HOOKED)
    db = make.app.state.db

    def started() -> tuple[int, int]:
        with db.read() as conn:
            instances = conn.scalar(select(func.count()).select_from(flow_instances))
            hooks = conn.scalar(text("SELECT count(*) FROM jobs WHERE kind <> 'date_backfill' AND kind <> 'schedule'"))
        return instances or 0, hooks or 0

    before = started()
    content = _csv([["故障概述"], ["水泵漏水"], ["电梯异响"], ["空调不冷"]])
    meanwhile, r = _while_staged(make, monkeypatch, content, 3, started, app="tickets", form="ticket")
    assert meanwhile == before == (0, 0)
    assert r.status_code == 201, r.text
    instances, jobs = started()
    assert instances == 3 and jobs >= 3


def _stage_one(db: Database, name: str, at: datetime) -> list[int]:
    """A chunk committed by an import that then died (kill -9): staged rows and nothing else."""
    with db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        made = staging.stage(conn, ref, staging.Batch(), [{"name": name, "level": "C"}], Change(SYSTEM), at)
    return [r.id for r in made]


def test_the_job_worker_removes_the_staged_rows_of_an_import_that_died_and_keeps_those_of_a_running_one(
        make: Maker, tmp_path: Any) -> None:
    make.app_def()
    db = make.app.state.db
    now = datetime.now(UTC)
    died = _stage_one(db, "死去的导入", now - timedelta(seconds=staging.STALE_SECONDS + 60))
    running = _stage_one(db, "进行中的导入", now)
    assert _documents(db, died) == died
    assert worker.clean_up_imports(db, now) == 1
    assert _staged_ids(db) == running
    assert _documents(db, died) == [] and _documents(db, running) == running
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []
    assert worker.clean_up_imports(db, now + timedelta(seconds=staging.STALE_SECONDS + 1)) == 1
    assert _staged_ids(db) == []


def test_the_embedded_worker_cleans_up_when_the_server_starts(db: Database, tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from runtime.main import create_app

    with db.write() as conn:
        definitions.import_app(conn, shop(), Change(SYSTEM))
    _stage_one(db, "死去的导入", datetime.now(UTC) - timedelta(seconds=staging.STALE_SECONDS + 60))
    settings = Settings(data_dir=tmp_path, database_url="unused://", embedded_worker=True, worker_poll_seconds=0.01)
    with TestClient(create_app(settings, db)):
        for _ in range(1000):  # the worker's first round; up to 10 s on a busy machine
            if not _staged_ids(db):
                break
            threading.Event().wait(0.01)
    assert _staged_ids(db) == []


ORDERS = {"key": "order", "name": "订单", "title_field": "title", "fields": [
    {"key": "title", "type": "text", "label": "订单名称", "required": True, "unique": True},
    {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
    {"key": "customer_level", "type": "lookup", "label": "客户等级", "relation": "customer", "field": "level"}]}


def test_a_looked_up_record_changed_while_the_rows_are_staged_is_stored_as_it_is_at_publish(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The publish finds the staged values out of date and stores the rows the slow way, in its own
    transaction; the staged ones are dropped."""
    make.app_def(shop(forms=[*shop()["forms"], ORDERS]))
    customer = make.record("customer", {"name": "宁波港务", "level": "B"})

    staged: list[int] = []
    slow: list[int] = []
    write_at_once = imports._write_at_once

    def counted(*args: Any) -> Any:
        slow.append(1)
        return write_at_once(*args)

    monkeypatch.setattr(imports, "_write_at_once", counted)

    def change_level() -> int:
        staged.extend(_staged_ids(make.app.state.db))
        return make.client.patch(f"{make.url()}/{customer['id']}", json={"data": {"level": "A"}},
                                 headers=make.admin).status_code

    content = _csv([["订单名称", "客户"], ["年度合同", "宁波港务"], ["季度合同", "宁波港务"], ["月度合同", "宁波港务"]])
    changed, r = _while_staged(make, monkeypatch, content, 3, change_level, form="order")
    assert changed == 200
    assert r.status_code == 201, r.text
    assert len(staged) == 3 and slow == [1]  # written anew in the publishing transaction
    items = make.client.get(make.url("order"), headers=make.admin).json()["items"]
    assert sorted((i["data"]["title"], i["data"]["customer_level"]) for i in items) == [
        ("季度合同", "A"), ("年度合同", "A"), ("月度合同", "A")]
    assert _staged_ids(make.app.state.db) == []


def test_an_import_whose_batch_was_removed_as_abandoned_meanwhile_is_409_and_imports_nothing(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an import stalled past STALE_SECONDS meets this; it is told so, never a 500."""
    make.app_def()
    db = make.app.state.db

    def cleaned_up() -> int:
        return worker.clean_up_imports(db, datetime.now(UTC) + timedelta(seconds=staging.STALE_SECONDS + 60))

    removed, r = _while_staged(make, monkeypatch, _customers(3), 3, cleaned_up)
    assert removed == 3
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "conflict"
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == [] and _staged_ids(db) == []
