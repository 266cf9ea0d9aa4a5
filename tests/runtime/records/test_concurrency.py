"""Concurrent writers over real HTTP: the database, not a read-then-write check, keeps values unique."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.live import serve


def _race(base: str, headers: dict[str, str], url: str, bodies: list[dict[str, Any]],
          extra: dict[str, str] | None = None) -> list[httpx.Response]:
    barrier_headers = {**headers, **(extra or {})}
    with httpx.Client(base_url=base, headers=barrier_headers, timeout=30) as http, ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda body: http.post(url, json=body), bodies))


def test_concurrent_creates_of_one_unique_value_give_one_201_and_the_rest_409(make: Any) -> None:
    make.app_def()
    with serve(make.app) as base:
        responses = _race(base, make.admin, make.url(), [{"data": {"name": "同名客户"}}] * 8)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert all(r.json()["error"]["code"] == "unique_violation" for r in responses if r.status_code == 409)


def test_concurrent_retries_with_one_idempotency_key_create_one_record(make: Any) -> None:
    make.app_def()
    with serve(make.app) as base:
        responses = _race(base, make.admin, make.url(), [{"data": {"name": "只建一次"}}] * 6,
                          {"Idempotency-Key": "retry-7"})
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len(make.client.get(make.url(), headers=make.admin).json()["items"]) == 1
