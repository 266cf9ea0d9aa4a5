"""Chinese order for text: the key SQLite sorts by (engine/text_order.py)."""

from __future__ import annotations

import random

from engine.text_order import SEPARATOR, sort_key, sql_sort_key
from tests.factories import CHINESE_ORDER


def _ranks(text: str) -> str:
    return sort_key(text).split(SEPARATOR, 1)[0]


def test_names_sort_by_pinyin_after_digits_and_before_latin_letters() -> None:
    shuffled = CHINESE_ORDER[:]
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == CHINESE_ORDER


def test_the_words_icu_reads_apart_sort_by_that_reading() -> None:
    """重庆 is chóng qìng and 沈阳 shěn yáng, though 重 alone is zhòng; 藏文 is zàng wén."""
    assert sorted(["重量", "窗户", "重庆", "虫子"], key=sort_key) == ["虫子", "重庆", "窗户", "重量"]
    assert sorted(["藏文", "张三", "藏书"], key=sort_key) == ["藏书", "藏文", "张三"]
    assert _ranks("重庆") != _ranks("重") + _ranks("庆")


def test_case_width_and_ignorable_characters_do_not_change_the_order() -> None:
    assert _ranks("Apple") == _ranks("apple") == _ranks("ＡＰＰＬＥ") == _ranks("ap\u00adple")
    assert sort_key("Apple") != sort_key("apple")  # tied in order, still told apart
    assert sort_key("apple") < sort_key("apples") < sort_key("Banana")


def test_distinct_texts_have_distinct_keys_so_equality_and_uniqueness_hold() -> None:
    rng = random.Random(5)
    alphabet = ["a", "A", "Ａ", "\u00ad", "\u0301", "\x01", "\x00", "\t", " ", "张", "重庆", "😀", "𠀀", "1", "１"]
    texts = {"".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(5000)}
    assert len({sort_key(t) for t in texts}) == len(texts)


def test_every_common_han_character_has_its_own_rank() -> None:
    han = [chr(c) for c in range(0x4E00, 0x9FA6)]
    assert all(0xF0000 <= ord(_ranks(ch)) for ch in han)
    assert len({_ranks(ch) for ch in han}) > 20_000  # few share a rank (variants ICU holds equal)


def test_characters_beyond_the_table_keep_their_place_before_ranked_ones() -> None:
    assert sorted(["a", "😀", "张"], key=sort_key) == ["😀", "张", "a"]


def test_sqlite_gets_null_for_null_and_the_text_of_a_number() -> None:
    assert sql_sort_key(None) is None
    assert sql_sort_key(12) == sort_key("12")
