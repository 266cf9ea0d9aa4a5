"""Pinyin spellings for search: full pinyin and initials, polyphonic characters, mixed input."""

from __future__ import annotations

import pytest

from engine.pinyin import asked, spelled


def test_a_name_is_spelled_in_full_pinyin_and_in_initials() -> None:
    spellings = spelled("苏州恒瑞精密机械有限公司").split("|")
    assert "suzhouhengruijingmijixieyouxiangongsi" in spellings
    assert "szhrjmjxyxgs" in spellings


def test_a_polyphonic_character_is_spelled_each_way_unless_a_word_fixes_it() -> None:
    assert {"jingmi", "qingmi"} <= {s[:6] for s in spelled("精密").split("|")}  # 精 jing / qing
    assert spelled("重庆银行").split("|") == ["chongqingyinhang", "cqyh"]  # a known word: one reading


def test_text_without_chinese_has_no_spelling() -> None:
    assert spelled("ABC 13800138000") == ""


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("szhr", ["szhr"]),
        ("HRJM", ["hrjm"]),
        ("ｓｚｈｒ", ["szhr"]),  # full-width input method
        ("苏州hr", ["suzhouhr", "szhr"]),  # 汉字 and pinyin mixed
        ("恒瑞", []),  # nothing to spell with: the text search finds it
        ("s", []),  # one letter would match most names
        ("heng rui", []),  # a blank stays significant, as in the text search
    ],
    ids=["initials", "upper", "full-width", "mixed", "chinese", "one-letter", "blank"],
)
def test_a_search_is_looked_for_as_typed_or_with_its_chinese_spelled(typed: str, expected: list[str]) -> None:
    assert asked(typed) == expected
