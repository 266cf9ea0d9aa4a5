"""number: a JSON number, an int when integral; more decimals than `precision` are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
QTY = parse_field({"key": "qty", "type": "number", "label": "数量", "precision": 1, "min": 0, "max": 1000,
                   "unit": "件"})
ANY = parse_field({"key": "n", "type": "number", "label": "员工人数"})


@pytest.mark.parametrize(("given_", "stored"), [
    (12, 12), ("12", 12), ("12.0", 12), (12.0, 12), ("1,000", 1000), ("１２", 12), ("2.5", 2.5), (Decimal("0.5"), 0.5),
], ids=str)
def test_number_is_an_int_when_integral_else_a_float(given_: object, stored: float) -> None:
    value = QTY.normalize(given_, CTX)
    assert value == stored and type(value) is type(stored)


@pytest.mark.parametrize("bad", ["2.55", "-1", "1001", "abc", "NaN", True], ids=str)
def test_number_refuses_extra_decimals_out_of_bounds_and_non_numbers(bad: object) -> None:
    with pytest.raises(FieldValueError):
        QTY.normalize(bad, CTX)


def test_number_without_precision_takes_any_decimals() -> None:
    assert ANY.normalize("3.14159", CTX) == 3.14159 and ANY.normalize("1e3", CTX) == 1000


@given(st.decimals(min_value=-10**9, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_number_keeps_the_value_of_any_decimal_within_precision(number: Decimal) -> None:
    three = parse_field({"key": "n", "type": "number", "label": "数", "precision": 3})
    stored = three.normalize(number, CTX)
    assert Decimal(repr(stored)) == number
    assert three.normalize(three.from_cell(three.to_cell(stored)), CTX) == stored
