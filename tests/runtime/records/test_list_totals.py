"""A list's total: exact up to a bound, a marked estimate beyond it, the exact figure on request."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records import totals


def _customers(make: Any, count: int) -> None:
    make.app_def()
    for i in range(count):
        make.record("customer", {"name": f"客户{i}", "region": ["华东", "华南", "华北"][i % 3], "amount": i})


def _total(make: Any, **params: Any) -> Any:
    r = make.client.get(make.url(), params={"limit": 1, **params}, headers=make.admin)
    assert r.status_code == 200, r.text
    return r.json()["total"], r.json()["total_exact"]


def test_a_total_up_to_the_bound_is_exact(make: Any) -> None:
    _customers(make, 9)
    assert _total(make, count="true") == (9, True)
    assert _total(make, count="1", **{"filter[region]": "华东"}) == (3, True)
    r = make.client.get(make.url(), params={"limit": 1}, headers=make.admin)
    assert "total" not in r.json() and "total_exact" not in r.json()


def test_beyond_the_bound_the_total_is_a_marked_estimate_and_exact_on_request(make: Any,
                                                                          monkeypatch: Any) -> None:
    monkeypatch.setattr(totals, "EXACT_UP_TO", 5)
    _customers(make, 30)
    assert _total(make, count="true") == (30, False)  # the sample holds every id here: the estimate is right
    assert _total(make, count="true", **{"filter[region]": "华东"}) == (10, False)
    assert _total(make, count="exact", **{"filter[region]": "华东"}) == (10, True)
    assert _total(make, count="true", **{"filter[region]": "华东", "filter[amount][lt]": "9"}) == (3, True)


def test_an_estimate_from_a_sample_is_near_the_count(make: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(totals, "EXACT_UP_TO", 5)
    monkeypatch.setattr(totals, "SAMPLE", 40)
    _customers(make, 90)
    total, exact = _total(make, count="true", **{"filter[region]": "华南"})
    assert not exact and 10 <= total <= 60, total  # 30 in truth; a sample of 40 ids among 88


@pytest.mark.parametrize("value", ["yes", "estimate", "2"])
def test_an_unknown_count_is_a_bad_query_naming_it(make: Any, value: str) -> None:
    make.app_def()
    r = make.client.get(make.url(), params={"count": value}, headers=make.admin)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "count" and "count" in r.json()["error"]["message"], r.json()


def test_rounded_to_two_significant_figures() -> None:
    assert [totals._rounded(v) for v in (7.4, 99.6, 1_134_567, 10_049, 10_051)] == [7, 100, 1_100_000, 10_000,
                                                                                     10_000]
