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


def test_brackets_and_marks_are_left_out_of_the_spellings_as_a_search_leaves_them_out() -> None:
    spellings = spelled("恒瑞精密机械（苏州）有限公司").split("|")
    assert "hrjmjxszyxgs" in spellings and "hengruijingmijixiesuzhouyouxiangongsi" in spellings
    assert "sdtc3mkj" in spelled("上电·TC-3M科技").split("|")  # latin letters and digits stay
    assert asked("hrjm(sz)") == ["hrjmsz"] and asked("恒瑞(苏州)") == [] and asked("(s)") == []


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


class _CountedWords(dict):  # type: ignore[type-arg]
    """pypinyin's word dictionary, counting the lengths it is asked about."""

    probes = 0

    def __contains__(self, key: object) -> bool:
        type(self).probes += 1
        return super().__contains__(key)


def test_a_character_that_starts_no_known_word_is_read_without_asking_for_each_word_length(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every record written is spelled (issue 28: the write path): most characters of a name start no
    # known word, and were looked up at each length of four, three and two characters.
    from engine import pinyin

    words = _CountedWords(pinyin.PHRASES_DICT)
    monkeypatch.setattr(pinyin, "PHRASES_DICT", words)
    pinyin.spelled.cache_clear()
    _CountedWords.probes = 0
    assert (
        spelled("氕氘氚" * 10 + "ABC") == "piedaochuan" * 10 + "abc|" + "pdc" * 10 + "abc"
    )  # 氕氘氚: no word starts there
    assert _CountedWords.probes == 0
    assert spelled("重庆银行") == "chongqingyinhang|cqyh"  # words still fix readings: 重庆 + 银行
    assert _CountedWords.probes > 0


# Reading a text as before issue 28: at each character, the longest known word of four, three, then two
# characters, else the character. The faster reading must give the same spellings.
def _reference(text: str) -> str:
    import itertools
    import unicodedata

    from engine import pinyin

    folded = "".join(unicodedata.normalize("NFKC", text).lower().split())[: pinyin.MAX_CHARS]
    if not pinyin.has_hanzi(folded):
        return ""
    found: list[tuple[tuple[str, ...], bool]] = []
    i, other = 0, ""
    while i < len(folded):
        size = next((s for s in range(min(4, len(folded) - i), 1, -1) if folded[i : i + s] in pinyin.PHRASES_DICT), 1)
        readings = (
            pinyin._word(folded[i : i + size])
            if size > 1
            else (pinyin._char(folded[i]),)
            if pinyin._char(folded[i])
            else ()
        )
        if not readings:
            other += folded[i] if folded[i].isalnum() else ""
            i += 1
            continue
        if other:
            found.append(((other,), True))
            other = ""
        found += [(r, False) for r in readings]
        i += size
    if other:
        found.append(((other,), True))

    def combos(readings: list[tuple[str, ...]]) -> list[str]:
        return ["".join(c) for c in itertools.islice(itertools.product(*readings), pinyin.MAX_SPELLINGS)]

    full = combos([r for r, _ in found])
    initials = combos([r if whole else tuple(dict.fromkeys(o[0] for o in r)) for r, whole in found])
    return "|".join(dict.fromkeys(full + initials))


@pytest.mark.parametrize(
    "text",
    [
        "苏州恒瑞精密机械有限公司",
        "重庆银行长沙分行",
        "佛山安天智能装备股份有限公司（第16分公司）",
        "行长走在银行长廊",
        "ABC科技",
        "单于长长",
        "中国人民解放军",
        "\U00020000苏州",
        "㐀㐁恒瑞",
        "精 密\t机械",
        "ＡＢＣ１３８重庆",
    ],
)
def test_the_spellings_are_those_of_reading_every_word_length(text: str) -> None:
    spelled.cache_clear()
    assert spelled(text) == _reference(text)
