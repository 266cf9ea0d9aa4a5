"""A long import never makes other users' writes fail: the import checks its rows without the write
lock, and a write that cannot get the lock within the lock wait is a 503 `busy` with Retry-After that
wrote nothing, never a 500 (docs/security.md, "Imports and other writers")."""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from runtime.db.db import Database
from runtime.io import imports
from runtime.io import records as records_io
from runtime.jobs import outbox, worker
from runtime.jobs.handlers import job_handlers
from runtime.settings import Settings
from tests import backends
from tests.factories import Maker, shop
from tests.live import serve
from tests.writers import another_thread_writing, writes_blocked

LOCK_WAIT = 0.3
"""The lock wait of these tests' databases: a blocked write gives up after it (seconds)."""


@pytest.fixture
def db(backend: str, tmp_path: Any) -> Iterator[Database]:
    """conftest's database, with a short lock wait so a blocked write gives up quickly."""
    with backends.fresh_database(backend, tmp_path, lock_wait=LOCK_WAIT) as database:
        yield database


Blocker = Callable[[Database], AbstractContextManager[Any]]


def _blockers(backend: str) -> list[Blocker]:
    return [writes_blocked, another_thread_writing] if backend.startswith("sqlite") else [writes_blocked]


WRITES: dict[str, Callable[[Maker, int], httpx.Response]] = {
    "create": lambda make, _id: make.client.post(make.url(), json={"data": {"name": "排队的客户"}}, headers=make.admin),
    "update": lambda make, rid: make.client.patch(f"{make.url()}/{rid}", json={"data": {"name": "排队的客户"}},
                                                  headers=make.admin),
    "bulk": lambda make, _id: make.client.post(f"{make.url()}/bulk", json={"items": [{"name": "排队的客户"}]},
                                               headers=make.admin),
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_that_cannot_get_the_lock_in_time_is_503_busy_with_retry_after_and_writes_nothing(
        make: Maker, backend: str, write: str) -> None:
    make.app_def()
    first = make.record("customer", {"name": "已有客户"})
    db: Database = make.app.state.db
    for blocked in _blockers(backend):
        with blocked(db):
            r = WRITES[write](make, first["id"])
        assert r.status_code == 503, (blocked.__name__, r.text)
        assert r.headers["Retry-After"].isdigit()
        assert r.json()["error"]["code"] == "busy"
        assert "稍后重试" in r.json()["error"]["message"]
        names = [i["data"]["name"] for i in make.client.get(make.url(), headers=make.admin).json()["items"]]
        assert names == ["已有客户"], blocked.__name__
    assert WRITES[write](make, first["id"]).status_code in (200, 201)  # the lock is free again: it goes through


def test_the_busy_answer_speaks_english_when_asked(make: Maker) -> None:
    make.app_def()
    with writes_blocked(make.app.state.db):
        r = make.client.post(make.url(), json={"data": {"name": "x"}}, headers={**make.admin, "Accept-Language": "en"})
    assert r.status_code == 503
    assert "try again" in r.json()["error"]["message"]


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(http: Any, make: Maker, content: bytes, form: str = "customer") -> httpx.Response:
    return http.post(f"{make.url(form)}/import", headers=make.admin,  # type: ignore[no-any-return]
                     files={"file": ("客户.csv", content, "text/csv")})


def test_a_create_sent_while_an_import_checks_its_rows_succeeds_and_so_does_the_import(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import is held in the middle of its rows until the create has answered: before, the
    import held the write lock all that time and the create failed with 500 `database is locked`."""
    make.app_def()
    importing, created = threading.Event(), threading.Event()
    parse = records_io.parse_rows

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        importing.set()
        created.wait(60)  # as if the sheet had many more rows
        return parse(*args, **kwargs)

    monkeypatch.setattr(records_io, "parse_rows", slow_parse)
    monkeypatch.setattr(imports, "parse_rows", slow_parse, raising=False)
    rows = [["客户名称", "地区"]] + [[f"导入客户{i:03d}", "华南"] for i in range(200)]
    with serve(make.app) as base, httpx.Client(base_url=base, timeout=120) as http, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_upload, http, make, _csv(rows))
        assert importing.wait(30)
        try:
            r = http.post(make.url(), json={"data": {"name": "同时新建的客户"}}, headers=make.admin)
        finally:
            created.set()
        imported = pending.result()
    assert r.status_code == 201, r.text
    assert imported.status_code == 201, imported.text
    assert imported.json()["created"] == 200
    listed = make.client.get(make.url(), params={"limit": 500}, headers=make.admin).json()["items"]
    assert len(listed) == 201


def _between_steps(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], None]) -> None:
    """Run `meanwhile` after the import has checked its rows and before it writes them."""
    prepare = imports.prepare

    def prepare_then(*args: Any, **kwargs: Any) -> Any:
        prepared = prepare(*args, **kwargs)
        meanwhile()
        return prepared

    monkeypatch.setattr(imports, "prepare", prepare_then)


def test_a_unique_value_stored_by_another_writer_between_check_and_write_is_reported_by_row_and_nothing_is_imported(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def()
    _between_steps(monkeypatch, lambda: make.record("customer", {"name": "后来者"}))
    rows = [["客户名称", "地区"], ["先到的", "华东"], ["后来者", "华北"], ["第三家", "华南"]]
    r = _upload(make.client, make, _csv(rows))
    assert r.status_code == 409, r.text
    assert [(d["path"], d["code"]) for d in r.json()["error"]["details"]] == [("rows[3].name", "unique_violation")]
    assert "第 3 行" in r.json()["error"]["details"][0]["message"]
    names = [i["data"]["name"] for i in make.client.get(make.url(), headers=make.admin).json()["items"]]
    assert names == ["后来者"]


def test_clashing_unique_values_are_reported_by_row_before_anything_is_written(make: Maker) -> None:
    make.app_def()
    make.record("customer", {"name": "老客户"})
    rows = [["客户名称"], ["新客户甲"], ["老客户"], ["新客户乙"], ["新客户甲"]]
    r = _upload(make.client, make, _csv(rows))
    assert r.status_code == 409, r.text
    assert sorted(d["path"] for d in r.json()["error"]["details"]) == ["rows[3].name", "rows[5].name"]
    assert len(make.client.get(make.url(), headers=make.admin).json()["items"]) == 1


def test_an_app_published_between_check_and_write_refuses_the_import_with_409_and_nothing_written(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    make.app_def()
    changed = shop()
    changed["forms"][0]["fields"].append({"key": "grade", "type": "text", "label": "评级"})

    def publish() -> None:
        assert make.client.put("/api/v1/apps/shop", json=changed, headers=make.admin).status_code == 200

    _between_steps(monkeypatch, publish)
    r = _upload(make.client, make, _csv([["客户名称", "地区"], ["温州某某鞋业", "华东"]]))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "conflict"
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []


NUMBERED = {"key": "ticket", "name": "工单", "title_field": "summary", "search_fields": ["code", "phone"], "fields": [
    {"key": "code", "type": "auto_number", "label": "编号", "pattern": "GD-{seq:5}"},
    {"key": "summary", "type": "text", "label": "概述", "required": True},
    {"key": "phone", "type": "phone", "label": "电话"}]}


def test_imported_records_are_found_by_search_on_every_searched_field_auto_numbers_included(make: Maker) -> None:
    definition = shop()
    definition["forms"] = [*definition["forms"], NUMBERED]
    make.app_def(definition)
    rows = [["概述", "电话"], ["空调漏水", "13912345678"], ["电梯异响", ""]]
    assert _upload(make.client, make, _csv(rows), form="ticket").status_code == 201

    def found(q: str) -> list[str]:
        items = make.client.get(make.url("ticket"), params={"q": q}, headers=make.admin).json()["items"]
        return sorted(i["data"]["summary"] for i in items)

    assert found("漏水") == ["空调漏水"]
    assert found("12345") == ["空调漏水"]
    assert found("GD-00002") == ["电梯异响"]
    assert found("GD-0000") == ["电梯异响", "空调漏水"]


LOOKUP = {"key": "order", "name": "订单", "title_field": "title", "fields": [
    {"key": "title", "type": "text", "label": "订单名称", "required": True},
    {"key": "customer", "type": "relation", "label": "客户", "target": "customer"},
    {"key": "customer_level", "type": "lookup", "label": "客户等级", "relation": "customer", "field": "level"}]}


def _with_orders(make: Maker) -> dict[str, Any]:
    definition = shop()
    definition["forms"] = [*definition["forms"], LOOKUP]
    make.app_def(definition)
    return make.record("customer", {"name": "宁波港务", "level": "B"})


def test_a_looked_up_value_changed_between_check_and_write_is_stored_as_it_is_at_write_time(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = _with_orders(make)
    url = f"{make.url()}/{customer['id']}"
    _between_steps(monkeypatch, lambda: make.client.patch(url, json={"data": {"level": "A"}}, headers=make.admin))
    r = _upload(make.client, make, _csv([["订单名称", "客户"], ["年度合同", "宁波港务"]]), form="order")
    assert r.status_code == 201, r.text
    [order] = make.client.get(make.url("order"), headers=make.admin).json()["items"]
    assert order["data"]["customer_level"] == "A"


def test_a_related_record_deleted_between_check_and_write_refuses_the_import_by_row(
        make: Maker, monkeypatch: pytest.MonkeyPatch) -> None:
    customer = _with_orders(make)
    url = f"{make.url()}/{customer['id']}"
    _between_steps(monkeypatch, lambda: make.client.delete(url, headers=make.admin))
    r = _upload(make.client, make, _csv([["订单名称", "客户"], ["年度合同", "宁波港务"]]), form="order")
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["rows[2].customer"]
    assert make.client.get(make.url("order"), headers=make.admin).json()["items"] == []


def test_the_embedded_workers_rounds_on_a_busy_database_log_once_and_carry_on(
        db: Database, tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(data_dir=tmp_path, database_url="unused://", worker_poll_seconds=0.01)
    failed, ran = threading.Semaphore(0), threading.Event()
    run_once = worker.run_once

    def counted(*args: Any, **kwargs: Any) -> int:
        try:
            done = run_once(*args, **kwargs)
        except BaseException:
            failed.release()
            raise
        if done:
            ran.set()
        return done

    with db.write() as conn:  # a job due: every round must claim, so every round writes
        outbox.enqueue(conn, "noop", {}, datetime.now(UTC))
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="tangram.worker")
    job_handlers.register("noop", lambda run: None)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(worker, "run_once", counted)
            thread = threading.Thread(target=worker.serve, args=(db, settings, stop, lambda: datetime.now(UTC)))
            with writes_blocked(db, ("jobs",)):
                thread.start()
                for _ in range(3):  # three rounds meet the busy database
                    assert failed.acquire(timeout=30)
                assert not ran.is_set()
            assert ran.wait(30)  # and a round after the lock is free runs the job
            stop.set()
            thread.join(10)
    finally:
        job_handlers.unregister("noop")
    busy = [r for r in caplog.records if "busy" in r.getMessage()]
    assert len(busy) == 1 and busy[0].levelno == logging.WARNING and busy[0].exc_info is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
