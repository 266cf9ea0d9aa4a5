"""text: one trimmed line, counted in characters (a Chinese character is one)."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
NAME = parse_field({"key": "name", "type": "text", "label": "联系人", "min_length": 2, "max_length": 4,
                    "pattern": r"[\u4e00-\u9fa5]+", "pattern_message": "只能是汉字"})


@pytest.mark.parametrize(("given_", "stored"), [
    (" 张三丰 ", "张三丰"),
    ("欧阳锋", "欧阳锋"),
], ids=["trimmed", "plain"])
def test_text_is_trimmed(given_: str, stored: str) -> None:
    assert NAME.normalize(given_, CTX) == stored


def test_text_counts_chinese_characters_not_bytes() -> None:
    assert NAME.normalize("欧阳张丰", CTX) == "欧阳张丰"
    with pytest.raises(FieldValueError, match="最多 4 个字符（当前 5 个）"):
        NAME.normalize("欧阳张三丰", CTX)
    with pytest.raises(FieldValueError, match="至少 2 个字符"):
        NAME.normalize("张", CTX)


def test_text_pattern_failure_uses_the_pattern_message() -> None:
    with pytest.raises(FieldValueError, match="只能是汉字") as e:
        NAME.normalize("Tom", CTX)
    assert "pattern" in (e.value.message_en or "")


@pytest.mark.parametrize(("given_", "stored"), [(12345, "12345"), (3.0, "3"), (2.5, "2.5")], ids=str)
def test_text_accepts_numbers_from_spreadsheet_cells(given_: object, stored: str) -> None:
    code = parse_field({"key": "code", "type": "text", "label": "编码"})
    assert code.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", [True, ["a"], {"a": 1}], ids=["bool", "list", "dict"])
def test_text_refuses_what_is_not_text(bad: object) -> None:
    with pytest.raises(FieldValueError, match="应为文本"):
        parse_field({"key": "code", "type": "text", "label": "编码"}).normalize(bad, CTX)


def test_text_refuses_a_pattern_that_does_not_compile() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        parse_field({"key": "code", "type": "text", "label": "编码", "pattern": "("})
