"""number, money, percent: exact decimals, as people type them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import ValueContext

CTX = ValueContext()
MONEY = parse_field({"key": "amount", "type": "money", "label": "金额", "min": 0})
NUMBER = parse_field({"key": "qty", "type": "number", "label": "数量", "precision": 1, "max": 1000})
PERCENT = parse_field({"key": "rate", "type": "percent", "label": "赢率", "max": 1})


@pytest.mark.parametrize(("given_", "stored"), [
    ("1,234.5", "1234.50"), (1234.5, "1234.50"), ("¥1,234.56", "1234.56"), ("￥ 100 元", "100.00"),
    ("１２３４", "1234.00"), (Decimal("0.10"), "0.10"), (0.1, "0.10"), ("99999999999999.99", "99999999999999.99"),
], ids=str)
def test_money_reads_typed_amounts_exactly(given_: object, stored: str) -> None:
    assert MONEY.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["1.005", "-1", "abc", "NaN", "Infinity", True], ids=str)
def test_money_refuses_more_decimals_than_scale_negative_and_non_numbers(bad: object) -> None:
    with pytest.raises(FieldValueError):
        MONEY.normalize(bad, CTX)


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_any_two_place_amount(amount: Decimal) -> None:
    stored = MONEY.normalize(amount, CTX)
    assert Decimal(stored) == amount
    assert MONEY.normalize(MONEY.from_cell(MONEY.to_cell(stored)), CTX) == stored


def test_number_is_an_int_when_integral_and_honours_precision_and_bounds() -> None:
    assert NUMBER.normalize("12", CTX) == 12 and isinstance(NUMBER.normalize("12.0", CTX), int)
    assert NUMBER.normalize("2.5", CTX) == 2.5
    for bad in ("2.55", "1001"):
        with pytest.raises(FieldValueError):
            NUMBER.normalize(bad, CTX)


@pytest.mark.parametrize(("given_", "stored"), [("12.5%", "0.125"), ("0.125", "0.125"), (0.3, "0.3"),
                                               ("１５％", "0.15"), ("100%", "1"), (0, "0")], ids=str)
def test_percent_is_stored_as_the_exact_fraction(given_: object, stored: str) -> None:
    assert PERCENT.normalize(given_, CTX) == stored


def test_percent_refuses_above_max_and_cells_show_percent() -> None:
    with pytest.raises(FieldValueError):
        PERCENT.normalize("120%", CTX)
    assert PERCENT.to_cell("0.125") == "12.5%"
