"""Pinyin spellings of Chinese text, for search by full pinyin and by initials.

苏州恒瑞 is found by "suzhouhengrui", "szhr" and "hr", also when typed mixed with 汉字 ("苏州hr"). A
character with several readings is spelled each way (精 jing/qing; pypinyin's heteronyms) unless a known
word fixes it (重庆 is chongqing, 银行 yinhang), up to MAX_SPELLINGS spellings per style.

Every record written pays for this, so the text is read here against pypinyin's dictionaries directly
(longest known word first, then single characters) with each reading converted once: about ten times
faster than pypinyin's own converter, which restyles every syllable on every call.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import cache, lru_cache

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

MAX_SPELLINGS = 4
"""Readings per style a text is stored under: the most likely, then the first others. Each one costs
stored bytes and search words on every write."""

MAX_CHARS = 100
"""Characters of a value that are spelled: search by pinyin looks at a name, not at a long text."""

SEPARATOR = "|"
"""Between the spellings of one value: a search (no blanks, no |) cannot match across two of them."""

_LONGEST_WORD = 4  # words of up to four characters fix their readings (重庆银行 as 重庆 + 银行)
_TONELESS = str.maketrans("āáǎàēéěèếềīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ", "aaaaeeeeeeiiiioooouuuuvvvvvnnnm")


def has_hanzi(text: str) -> bool:
    """Whether the text holds a Chinese character (only those have a pinyin)."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@cache
def _char(char: str) -> tuple[str, ...]:
    """A character's readings without tones, the commonest first; () for a character without pinyin."""
    found = PINYIN_DICT.get(ord(char))
    return tuple(dict.fromkeys(r.translate(_TONELESS) for r in found.split(","))) if found else ()


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[tuple[str, ...], ...]:
    """A known word's readings, one per character (the word decides a polyphonic one)."""
    return tuple((r[0].translate(_TONELESS),) for r in PHRASES_DICT[word])


@cache
def _word_starts() -> frozenset[str]:
    """The first two characters of every known word of up to _LONGEST_WORD characters: a text whose next
    two characters are not among them starts no word there, and is read a character at a time without
    asking the dictionary for each length (most characters of a name, one probe instead of three)."""
    return frozenset(w[:2] for w in PHRASES_DICT if 1 < len(w) <= _LONGEST_WORD)


@cache
def _initials(readings: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct first letters of a character's readings (精 jing/qing: j, q)."""
    return tuple(dict.fromkeys(r[0] for r in readings))


def _readings(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """Each character's readings (or a run of other letters and digits, kept whole: True), words read as
    words: at each character the longest known word of up to _LONGEST_WORD characters, else the character.
    Other characters (恒瑞精密(苏州)'s brackets, ·, -) are left out, so hrjmsz finds it."""
    found: list[tuple[tuple[str, ...], bool]] = []
    starts, char = _word_starts(), _char
    i, end, other = 0, len(text), ""
    while i < end:
        size = 1
        if text[i : i + 2] in starts:
            for size in range(min(_LONGEST_WORD, end - i), 1, -1):
                if text[i : i + size] in PHRASES_DICT:
                    break
            else:
                size = 1
        if size > 1:
            if other:
                found.append(((other,), True))
                other = ""
            found += [(r, False) for r in _word(text[i : i + size])]
            i += size
            continue
        readings = char(text[i])
        if readings:
            if other:
                found.append(((other,), True))
                other = ""
            found.append((readings, False))
        elif text[i].isalnum():  # brackets and other marks are not typed in a pinyin search: left out
            other += text[i]
        i += 1
    if other:
        found.append(((other,), True))
    return found


def _combinations(readings: list[tuple[str, ...]]) -> list[str]:
    """The likeliest spelling, then others, MAX_SPELLINGS in all."""
    return ["".join(c) for c in itertools.islice(itertools.product(*readings), MAX_SPELLINGS)]


@lru_cache(maxsize=4096)  # the search words and the stored spellings of one write ask twice
def spelled(value: str) -> str:
    """A value's full-pinyin and initials spellings, lower case, SEPARATOR between them; "" without 汉字."""
    text = _folded(value)[:MAX_CHARS]
    if not has_hanzi(text):
        return ""
    readings = _readings(text)
    full = _combinations([r for r, _whole in readings])
    initials = _combinations([r if whole else _initials(r) for r, whole in readings])
    return SEPARATOR.join(dict.fromkeys(full + initials))


def asked(text: str) -> list[str]:
    """What a search looks for in the spellings: the text with its 汉字 as full pinyin and as initials
    ("苏州hr" → suzhouhr, szhr), or the text itself; [] when it has no latin letter to spell with or is a
    single character."""
    folded = unicodedata.normalize("NFKC", text).lower().strip()
    # One letter would match most names; a blank inside is kept, as the text search keeps it (the
    # spellings have none, so "ABC 科技" does not find ABC科技).
    if len(folded) < 2 or not any("a" <= c <= "z" for c in folded) or folded != "".join(folded.split()):
        return []
    if not has_hanzi(folded):
        letters = "".join(c for c in folded if c.isalnum())  # as the spellings keep them
        return [letters] if len(letters) > 1 else []
    readings = _readings(folded)
    full = "".join(r[0] for r, _whole in readings)
    initials = "".join(r[0] if whole else r[0][0] for r, whole in readings)
    return list(dict.fromkeys([full, initials]))
