"""Measure formats: rates as percentages, money in yuan with thousands separators, numbers grouped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.reports.formats import format_value, with_formatted
from engine.reports.model import Measure

CASES = [
    (Decimal("0.5701"), "percent", None, "57.0%"),
    (Decimal("0.5705"), "percent", None, "57.1%"),  # half away from zero, as the browser rounds
    (1, "percent", 0, "100%"),
    (Decimal("5000000"), "money", None, "¥5,000,000.00"),
    (Decimal("-1234.5"), "money", None, "-¥1,234.50"),
    (Decimal("-0.001"), "money", None, "¥0.00"),  # rounds to zero: no minus sign
    (Decimal("1234.56789"), "number", None, "1,234.5679"),
    (1000, "number", None, "1,000"),
    (Decimal("62.45"), "number", 1, "62.5"),
    (None, "money", None, None),
    ("2026-01-01", "number", None, None),  # a date's MIN is not a number
]


@pytest.mark.parametrize(("value", "style", "decimals", "text"), CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
def test_a_value_is_shown_in_its_measure_format(value: Any, style: str, decimals: int | None, text: str | None) -> None:
    assert format_value(value, style, decimals) == text


def test_a_result_carries_the_text_beside_each_formatted_cell_and_total() -> None:
    result = {"columns": [{"key": "owner", "role": "dimension"}, {"key": "count", "role": "measure"},
                          {"key": "win_rate", "role": "measure", "format": "percent"}],
              "rows": [["王芳", 3, Decimal("0.5")], ["李娜", 1, None]], "totals": [4, Decimal("0.25")]}
    shown = with_formatted(result)
    assert shown["rows"] == [["王芳", 3, Decimal("0.5")], ["李娜", 1, None]]  # the raw values stay
    assert shown["formatted"] == [[None, None, "50.0%"], [None, None, None]]
    assert shown["formatted_totals"] == [None, "25.0%"]


def test_a_measure_format_is_one_of_three_and_decimals_are_bounded() -> None:
    assert Measure(agg="count", format="percent", decimals=2).decimals == 2
    for bad in ({"format": "currency"}, {"format": "money", "decimals": 9}):
        with pytest.raises(ValueError):
            Measure(agg="count", **bad)
