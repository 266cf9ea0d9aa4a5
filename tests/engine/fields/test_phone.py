"""phone: one number, one value — unique phone indexes compare the stored text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

PHONE = parse_field({"key": "phone", "type": "phone", "label": "电话"})
MOBILE = parse_field({"key": "phone", "type": "phone", "label": "手机", "kind": "mobile"})
CTX = ValueContext(LITERAL_MOMENT)


@pytest.mark.parametrize(("given_", "stored"), [
    ("13800138000", "13800138000"),
    ("+86 138-0013-8000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("0086 13800138000", "13800138000"),
    ("+86（138）00138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),  # full-width digits from a Chinese IME
    (13800138000, "13800138000"),  # a spreadsheet cell read as a number
    ("010-12345678", "010-12345678"),
    ("(010)12345678", "010-12345678"),
    ("+86 10 12345678", "010-12345678"),
    ("0755 1234 5678", "0755-12345678"),
    ("0755-12345678 转 123", "0755-12345678-123"),
    ("0755-12345678-123", "0755-12345678-123"),
    ("010-12345678 ext 123", "010-12345678-123"),
    ("（０１０）１２３４５６７８", "010-12345678"),  # full-width brackets and digits
    ("+1 (415) 555-2671", "+14155552671"),
    ("0044 20 7946 0958", "+442079460958"),
], ids=lambda v: str(v))
def test_phone_plus86_dashes_spaces_and_landlines_normalise(given_: object, stored: str) -> None:
    assert PHONE.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["12345", "abc", "2380013800", "+1 23", "138001380001", "010-123"], ids=str)
def test_phone_refuses_what_is_not_a_number_and_says_what_is_expected(bad: str) -> None:
    with pytest.raises(FieldValueError) as e:
        PHONE.normalize(bad, CTX)
    assert "手机" in e.value.message and "mobile" in (e.value.message_en or "")


def test_mobile_kind_refuses_landlines_and_foreign_numbers() -> None:
    assert MOBILE.normalize("+86 139 1234 5678", CTX) == "13912345678"
    for bad in ("010-12345678", "+14155552671"):
        with pytest.raises(FieldValueError):
            MOBILE.normalize(bad, CTX)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86 ", "0086", "+86-"]),
       st.sampled_from(["", " ", "-"]))
def test_any_mainland_mobile_however_written_is_stored_as_11_digits(number: str, prefix: str, sep: str) -> None:
    written = prefix + number[:3] + sep + number[3:7] + sep + number[7:]
    assert PHONE.normalize(written, CTX) == number


@given(st.text(max_size=20))
def test_phone_normalisation_is_idempotent_or_refuses(text: str) -> None:
    try:
        stored = PHONE.normalize(text, CTX)
    except FieldValueError:
        return
    assert PHONE.normalize(stored, CTX) == stored
