"""email: trimmed and lower-cased, so a unique email compares the way people do."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
EMAIL = parse_field({"key": "email", "type": "email", "label": "邮箱", "unique": True})


@pytest.mark.parametrize(("given_", "stored"), [
    (" Wang.Li@Example.COM ", "wang.li@example.com"),
    ("wang.li＠example．com", "wang.li@example.com"),  # full-width ＠ and ． from a Chinese IME
    ("sales+crm@sub.example.com.cn", "sales+crm@sub.example.com.cn"),
], ids=str)
def test_email_is_trimmed_lower_cased_and_full_width_at_is_read(given_: str, stored: str) -> None:
    assert EMAIL.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", ["wang.li", "a@b", "a b@c.cn", "a@@b.cn", "@example.com", "a@.cn", 123,
                                 "a" * 250 + "@b.cn"], ids=lambda v: repr(v)[:20])
def test_email_refuses_what_is_not_an_address(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是有效的邮箱地址"):
        EMAIL.normalize(bad, CTX)
