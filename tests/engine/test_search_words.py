"""The search index's words: every substring of an indexed text is found by its terms."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine import search


def _found(text: str, asked: str) -> bool:
    """What the index answers: the record is a candidate for the search."""
    words = set(search.document([text]))
    terms = search.terms(asked)
    assert terms is not None
    if terms.prefix is not None:
        return any(w.startswith(terms.prefix) for w in words)
    return set(terms.words) <= words


@given(st.text(alphabet="华为技术深圳有限公司ABCabc （）-1 ", min_size=1, max_size=20), st.data())
def test_every_substring_is_a_candidate(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    asked = text[start:end]
    if search.terms(asked) is not None:
        assert _found(text, asked)


def test_chinese_substrings_of_one_two_and_more_characters() -> None:
    name = "深圳华为技术有限公司"
    for asked in ("华", "司", "华为", "有限公司", "为技术有"):
        assert _found(name, asked), asked
    assert not _found(name, "腾讯")
    assert not _found(name, "讯")


def test_case_and_blanks_are_folded_as_like_over_lower_compares() -> None:
    assert _found("Tangram Ltd", "tangram")
    assert _found("138 0013 8000", "1380013")
    assert search.terms("   ") is None


def test_words_are_hex_digits_four_per_character() -> None:
    words = search.document(["华为!"])
    assert all(w.isascii() and w.isalnum() and w == w.lower() for w in words)
    assert sorted(len(w) for w in words) == [4, 8, 8]
    assert "534e4e3a" in words  # 华 U+534E, 为 U+4E3A


def test_a_long_search_asks_for_a_few_pairs_that_do_not_overlap() -> None:
    found = search.terms("深圳市华为技术有限公司")
    assert found is not None and len(found.words) == search.MAX_WORDS
    assert set(found.words) <= set(search.document(["深圳市华为技术有限公司"]))
    odd = search.terms("华为技")  # the last pair overlaps to reach the last character
    assert odd is not None and sorted(odd.words) == sorted(["534e4e3a", "4e3a6280"])


def _spelling_found(spellings: list[str], asked: str) -> bool:
    """What the index answers for a pinyin search: the record is a candidate."""
    words = set(search.spelling_document(spellings))
    terms = search.spelling_terms(asked)
    assert terms is not None
    if terms.prefix is not None:
        return any(w.startswith(terms.prefix) for w in words)
    return set(terms.words) <= words


@given(st.text(alphabet="fengzhxiuaro-3 ", min_size=3, max_size=30), st.data())
def test_every_run_of_a_spelling_is_a_pinyin_candidate(spelled: str, data: st.DataObject) -> None:
    letters = "".join(spelled.split())
    if len(letters) < 3:
        return
    start = data.draw(st.integers(0, len(letters) - 3))
    asked = letters[start : data.draw(st.integers(start + 3, len(letters)))]
    assert _spelling_found([spelled], asked)


def test_a_spelling_with_the_same_syllables_in_another_order_is_no_pinyin_candidate() -> None:
    # xinfengzheng holds fen, gzh, eng and xin, the runs of fengzhengxin that do not overlap; not ngx or gxi
    assert not _spelling_found(["xinfengzheng"], "fengzhengxin")


def test_a_name_holding_every_three_letters_of_a_search_without_spelling_it_is_no_pinyin_candidate() -> None:
    # 星鑫丰正 (xingxinfengzheng) holds every run of three letters of fengzhengxin, overlapping or not
    assert not _spelling_found(["xingxinfengzheng"], "fengzhengxin")
    assert _spelling_found(["fengzhengxinkeji"], "fengzhengxin")
    # The limit: pieces of the search that share four letters (丰正胜鑫: fengzheng, shengxin share heng) are
    # a candidate, which LIKE then rules out.
    assert _spelling_found(["fengzhengshengxin"], "fengzhengxin")


def test_a_short_search_is_a_prefix_of_the_words_that_hold_it_also_at_the_end() -> None:
    terms = search.spelling_terms("szhr")
    assert terms is not None and terms.prefix is not None and not terms.words
    assert _spelling_found(["suzhouhengrui|szhr"], "szhr")  # the last letters of the initials
    assert _spelling_found(["suzhouhengrui|szhrjm"], "szhr")
    assert not _spelling_found(["suzhouhengrui|sz0hr"], "szhr")
    assert search.spelling_terms("hr") is None


def test_spelling_words_never_meet_a_texts_words() -> None:
    # a text search of one character asks for the words that start with its four hex digits (0061 for a)
    words = search.spelling_document(["a0614b|a061"])
    assert not any(w.startswith("0061") for w in words)
    assert not set(words) & set(search.document(["a0614b"]))
