"""money: an exact decimal string with `scale` places; never a float, never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
MONEY = parse_field({"key": "amount", "type": "money", "label": "合同金额", "min": 0})
YUAN = parse_field({"key": "budget", "type": "money", "label": "预算（元）", "scale": 0})


@pytest.mark.parametrize(("given_", "stored"), [
    ("1,234.5", "1234.50"), (1234.5, "1234.50"), ("¥1,234.56", "1234.56"), ("￥ 100 元", "100.00"),
    ("１２３４", "1234.00"), (Decimal("0.10"), "0.10"), (0.1, "0.10"), ("99999999999999.99", "99999999999999.99"),
], ids=str)
def test_money_reads_typed_amounts_exactly(given_: object, stored: str) -> None:
    assert MONEY.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["1.005", 0.125, "-1", "abc", "NaN", "Infinity", True], ids=str)
def test_money_refuses_more_decimals_than_scale_negatives_below_min_and_non_numbers(bad: object) -> None:
    with pytest.raises(FieldValueError):
        MONEY.normalize(bad, CTX)


def test_money_refuses_more_decimals_than_scale_instead_of_rounding() -> None:
    with pytest.raises(FieldValueError, match="最多 0 位小数"):
        YUAN.normalize("100.5", CTX)
    assert YUAN.normalize("100.00", CTX) == "100"


def test_money_cell_is_a_decimal() -> None:
    assert MONEY.to_cell("1234.50") == Decimal("1234.50")


@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_money_round_trips_any_amount_with_at_most_scale_places(amount: Decimal) -> None:
    stored = MONEY.normalize(amount, CTX)
    assert Decimal(stored) == amount
    assert MONEY.normalize(MONEY.from_cell(MONEY.to_cell(stored)), CTX) == stored
