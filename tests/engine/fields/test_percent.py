"""percent: the exact fraction as a decimal string; "12.5%" and 0.125 are one value."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
RATE = parse_field({"key": "win_rate", "type": "percent", "label": "赢率", "min": 0, "max": 1})


@pytest.mark.parametrize(("given_", "stored"), [
    ("12.5%", "0.125"), ("0.125", "0.125"), (0.3, "0.3"), ("１５％", "0.15"), ("100%", "1"), (0, "0"),
    (" 8 % ", "0.08"), (Decimal("0.5000"), "0.5"),
], ids=str)
def test_percent_is_stored_as_the_exact_fraction(given_: object, stored: str) -> None:
    assert RATE.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["120%", "-5%", "12.345%", "abc%", 1.5], ids=str)
def test_percent_refuses_out_of_bounds_and_more_places_than_scale(bad: object) -> None:
    with pytest.raises(FieldValueError):
        RATE.normalize(bad, CTX)


def test_percent_scale_counts_places_of_the_fraction() -> None:
    fine = parse_field({"key": "d", "type": "percent", "label": "折扣", "scale": 6})
    assert fine.normalize("12.3456%", CTX) == "0.123456"


def test_percent_cell_shows_percent() -> None:
    assert RATE.to_cell("0.125") == "12.5%" and RATE.to_cell("1") == "100%" and RATE.to_cell("0") == "0%"


@given(st.decimals(min_value=-10, max_value=10, places=4, allow_nan=False, allow_infinity=False))
def test_percent_round_trips_any_fraction_through_a_cell(fraction: Decimal) -> None:
    free = parse_field({"key": "d", "type": "percent", "label": "增长率"})
    stored = free.normalize(fraction, CTX)
    assert Decimal(stored) == fraction
    assert free.normalize(free.from_cell(free.to_cell(stored)), CTX) == stored
