"""textarea: several lines, inner line breaks kept, ends trimmed."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
NEEDS = parse_field({"key": "needs", "type": "textarea", "label": "关键需求点", "max_length": 10})


@pytest.mark.parametrize(("given_", "stored"), [
    ("  第一行\n第二行\n  ", "第一行\n第二行"),
    ("需求：\r\n1. 报价", "需求：\n1. 报价"),  # Windows line breaks from a pasted document
    ("甲\n\n乙", "甲\n\n乙"),
], ids=["ends-trimmed", "crlf", "blank-line-kept"])
def test_textarea_keeps_inner_line_breaks_and_trims_the_ends(given_: str, stored: str) -> None:
    assert NEEDS.normalize(given_, CTX) == stored


def test_textarea_counts_line_breaks_as_characters() -> None:
    with pytest.raises(FieldValueError, match="最多 10 个字符"):
        NEEDS.normalize("一二三四五\n六七八九十", CTX)


def test_textarea_is_not_sortable() -> None:
    assert not NEEDS.is_sortable() and NEEDS.storage_kind() == "text"
