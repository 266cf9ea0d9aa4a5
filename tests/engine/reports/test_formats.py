"""Measure formats: rates as percentages, money in yuan with thousands separators, numbers grouped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine.reports.formats import assign_axes, format_short, format_value, with_formatted
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
    (Decimal("1234.6"), "count", None, "1,235"),  # a count is an integer
    (Decimal("31.62"), "days", None, "31.6 天"),
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


SHORT = [
    (Decimal("5000000"), "money", "¥500万"),
    (Decimal("2117521.22"), "money", "¥211.8万"),
    (Decimal("125000000"), "money", "¥1.25亿"),
    (Decimal("-35000"), "money", "-¥3.5万"),
    (Decimal("9999.99"), "money", "¥9,999.99"),  # under 万: in full
    (12000, "count", "1.2万"),
    (Decimal("0.5701"), "percent", "57.0%"),  # rates never abbreviate
]


@pytest.mark.parametrize(("value", "style", "text"), SHORT, ids=[f"{c[1]}-{c[0]}" for c in SHORT])
def test_large_values_abbreviate_with_wan_and_yi_for_axes_and_kpi_cards(value: Any, style: str, text: str) -> None:
    assert format_short(value, style) == text


def test_a_growth_rate_says_a_rise_with_a_plus_and_a_fall_with_a_minus() -> None:
    assert format_value(Decimal("0.125"), "percent", plus=True) == "+12.5%"
    assert format_value(Decimal("-0.03"), "percent", plus=True) == "-3.0%"
    assert format_value(0, "percent", plus=True) == "0.0%"
    kpi = {"type": "kpi", "columns": [{"key": "v", "role": "measure", "format": "money"},
                                      {"key": "previous_growth", "role": "measure", "format": "percent", "signed": True}],
           "rows": [[Decimal("56780"), Decimal("0.5")]], "totals": []}
    shown = with_formatted(kpi)
    assert shown["formatted"] == [["¥56,780.00", "+50.0%"]]
    assert shown["formatted_short"] == [["¥5.68万", "+50.0%"]]


def test_each_unit_gets_its_own_value_axis_and_a_third_unit_none() -> None:
    columns = [{"key": "region", "role": "dimension"}, {"key": "count", "role": "measure", "format": "count"},
               {"key": "amount", "role": "measure", "format": "money"}, {"key": "n2", "role": "measure", "format": "count"},
               {"key": "rate", "role": "measure", "format": "percent"}]
    assign_axes(columns)
    assert [c.get("axis") for c in columns] == [None, 0, 1, 0, None]
