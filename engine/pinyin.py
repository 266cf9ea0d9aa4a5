"""Pinyin spellings of Chinese text, for search by full pinyin and by initials.

苏州恒瑞 is found by "suzhouhengrui", "szhr" and "hr", also when typed mixed with 汉字 ("苏州hr"). A
character with several readings is spelled each way (精 jing/qing; pypinyin's heteronyms) unless a known
word fixes it (重庆 is chongqing, 银行 yinhang), up to MAX_SPELLINGS spellings per style.
"""

from __future__ import annotations

import itertools
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin, pinyin

MAX_SPELLINGS = 4
"""Readings per style a text is stored under: the most likely, then the first others. Each one costs
stored bytes and search words on every write."""

MAX_CHARS = 100
"""Characters of a value that are spelled: search by pinyin looks at a name, not at a long text."""

SEPARATOR = "|"
"""Between the spellings of one value: a search (no blanks, no |) cannot match across two of them."""


def has_hanzi(text: str) -> bool:
    """Whether the text holds a Chinese character (only those have a pinyin)."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def _spellings(text: str, style: Style) -> list[str]:
    likely = "".join(lazy_pinyin(text, style=style, errors="default"))
    readings = pinyin(text, style=style, heteronym=True, errors="default")
    found = [likely]
    for combination in itertools.islice(itertools.product(*readings), MAX_SPELLINGS * 4):
        spelled = "".join(combination)
        if spelled not in found:
            found.append(spelled)
        if len(found) >= MAX_SPELLINGS:
            break
    return found


@lru_cache(maxsize=4096)  # the search words and the stored spellings of one write ask twice
def spelled(value: str) -> str:
    """A value's full-pinyin and initials spellings, lower case, SEPARATOR between them; "" without 汉字."""
    text = _folded(value)[:MAX_CHARS]
    if not has_hanzi(text):
        return ""
    full = _spellings(text, Style.NORMAL)
    initials = _spellings(text, Style.FIRST_LETTER)
    return SEPARATOR.join(dict.fromkeys(s.lower() for s in full + initials))


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
        return [folded]
    full = "".join(lazy_pinyin(folded, style=Style.NORMAL, errors="default")).lower()
    initials = "".join(lazy_pinyin(folded, style=Style.FIRST_LETTER, errors="default")).lower()
    return list(dict.fromkeys([full, initials]))
