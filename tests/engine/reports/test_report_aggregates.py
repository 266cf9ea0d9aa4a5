"""Contract tests over the report aggregates: each is documented, and where it says two partial results
combine, combining the results of two groups gives the result over both (totals and "others" rely on it)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.reports.aggregates import ReportAggregate, report_aggregates

DOCS = (Path(__file__).resolve().parents[3] / "docs" / "reports.md").read_text(encoding="utf-8")
VALUES = st.lists(st.one_of(st.none(), st.decimals(min_value=-10**6, max_value=10**6, places=2)), max_size=8)
CONDITIONS = st.lists(st.one_of(st.none(), st.booleans()), max_size=8)


@pytest.mark.parametrize("agg", report_aggregates.all(), ids=lambda a: a.name)
def test_every_aggregate_is_documented(agg: ReportAggregate) -> None:
    assert agg.summary and f"`{agg.name}" in DOCS


@pytest.mark.parametrize("agg", [a for a in report_aggregates.all() if a.combine], ids=lambda a: a.name)
@given(data=st.data())
def test_combining_two_groups_gives_the_aggregate_over_both(agg: ReportAggregate, data: Any) -> None:
    values = CONDITIONS if agg.arg == "condition" else VALUES
    a, b = data.draw(values), data.draw(values)
    assert agg.combine is not None
    assert agg.combine(agg.py(a), agg.py(b)) == agg.py(a + b)


def test_sum_is_exact_over_decimals() -> None:
    assert report_aggregates.get("SUM").py([Decimal("0.1"), Decimal("0.2"), None]) == Decimal("0.3")
