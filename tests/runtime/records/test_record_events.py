"""Record lifecycle events: subscribers see every write inside its transaction and can refuse or undo it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection

from engine.errors import Conflict
from runtime.records import events
from runtime.records.events import RecordEvent

seen: list[tuple[str, list[int], set[str]]] = []


def _record(conn: Connection, event: RecordEvent) -> None:
    seen.append((event.action, event.ids, event.changed_fields))


def _refuse_locked(conn: Connection, event: RecordEvent) -> None:
    if event.before and event.before[0].get("note") == "审批中":
        raise Conflict("记录审批中，不能修改", "the record is under approval")


def _fail_on_vip(conn: Connection, event: RecordEvent) -> None:
    if any(d.get("level") == "A" for d in event.after):
        raise Conflict("订阅者失败", "a subscriber failed")


@pytest.fixture(autouse=True)
def subscribers() -> Iterator[None]:
    seen.clear()
    for subscriber in (_record, _fail_on_vip):
        events.after_write(subscriber)
    events.before_write(_refuse_locked)
    yield
    for subscriber in (_record, _fail_on_vip, _refuse_locked):
        events.unsubscribe(subscriber)


def test_every_write_is_published_with_its_changed_fields(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "甲公司"})
    url = f"{make.url()}/{rec['id']}"
    assert make.client.patch(url, json={"data": {"note": "跟进"}}, headers=make.admin).status_code == 200
    assert make.client.delete(url, headers=make.admin).status_code in (200, 204)
    assert make.client.post(f"{url}/restore", headers=make.admin).status_code == 200
    assert [(a, ids) for a, ids, _ in seen] == [(a, [rec["id"]]) for a in ("create", "update", "delete", "restore")]
    assert seen[1][2] == {"note"}


def test_a_before_write_check_refuses_the_change_and_nothing_is_written(make: Any) -> None:
    make.app_def()
    rec = make.record("customer", {"name": "乙公司", "note": "审批中"})
    url = f"{make.url()}/{rec['id']}"
    r = make.client.patch(url, json={"data": {"note": "改掉"}}, headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert make.client.delete(url, headers=make.admin).status_code == 409
    body = make.client.get(url, headers=make.admin).json()
    assert body["version"] == 1 and body["data"]["note"] == "审批中"


def test_a_failing_subscriber_rolls_the_record_back(make: Any) -> None:
    make.app_def()
    r = make.client.post(make.url(), json={"data": {"name": "丙公司", "level": "A"}}, headers=make.admin)
    assert r.status_code == 409
    listed = make.client.get(make.url(), headers=make.admin).json()
    assert listed["items"] == []
