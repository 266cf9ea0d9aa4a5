"""rating: a whole number of stars from 1 to `max` (5 unless set, 1–10)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
FIVE = parse_field({"key": "satisfaction", "type": "rating", "label": "满意度"})
TEN = parse_field({"key": "score", "type": "rating", "label": "评分", "max": 10})


@pytest.mark.parametrize(("given_", "stored"), [
    (4, 4), ("4", 4), (" 5 ", 5), (4.0, 4), (Decimal("3"), 3), ("４", 4), ("★★★★☆", 4), ("★", 1),
], ids=str)
def test_rating_is_stored_as_an_int(given_: object, stored: int) -> None:
    value = FIVE.normalize(given_, CTX)
    assert value == stored and type(value) is int


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "2.5", "x", "☆☆☆☆☆", True, [4], {"v": 4}], ids=str)
def test_rating_refuses_what_is_not_a_whole_number_from_1_to_max(bad: object) -> None:
    with pytest.raises(FieldValueError, match="评分应为 1 到 5 的整数") as e:
        FIVE.normalize(bad, CTX)
    assert e.value.message_en == "a rating is a whole number from 1 to 5"


def test_max_sets_how_many_stars_and_is_1_to_10() -> None:
    assert TEN.normalize(10, CTX) == 10 and TEN.json_schema() == {"type": "integer", "minimum": 1, "maximum": 10}
    assert FIVE.json_schema()["maximum"] == 5
    for bad in (0, 11):
        with pytest.raises(ValidationError, match="max"):
            parse_field({"key": "r", "type": "rating", "label": "评分", "max": bad})


def test_a_default_above_max_is_reported() -> None:
    field = parse_field({"key": "r", "type": "rating", "label": "评分", "max": 3, "default": 4})
    assert [i.code for i in field.check(None, None)] == ["invalid_default"]  # type: ignore[arg-type]


@given(st.integers(min_value=1, max_value=10))
def test_rating_round_trips_through_a_cell(stars: int) -> None:
    assert TEN.normalize(TEN.from_cell(TEN.to_cell(stars)), CTX) == stars
