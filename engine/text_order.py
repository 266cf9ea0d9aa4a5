"""Text in Chinese order: Han characters by pinyin (阿 北 重庆 李 王 张), then accents, case and width.

This is the one order of text in Tangram: lists sort by it, and every comparison of text (`<`, `>=`,
MIN, MAX) in Python, SQLite and PostgreSQL means it (DuckDB has no such order and refuses it).
PostgreSQL sorts such text with ICU's collation `zh-x-icu`. SQLite and Python have no ICU of the
same version, so they compare `sort_key(text)` instead: each character becomes its rank in ICU's order (text_order.txt, made from
PostgreSQL's ICU by runtime/io/text_order_table.py), strength by strength as ICU compares:

1. primary: the letter (`a` = `á` = `A` = `Ａ`; 阿 < 华 < a; digits before Han before Latin);
2. secondary: the accent or tone (`á` < `à` < `a`), only between texts equal at (1);
3. tertiary: case and width (`a` < `ａ` < `A` < `Ａ`), only between texts equal at (1) and (2);
4. the text itself, code point by code point, as PostgreSQL's deterministic collation ends.

Characters ICU ignores (soft hyphens, most combining marks) and control characters are left out of
(1)-(3); characters beyond the table (emoji, the rarest Han) keep their code point, which sorts them
before the rest. Because the key ends with the text, it tells every text apart: equality of keys is
equality of texts (case and width count), and a unique index on keys is one on texts."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

_FIRST_RANK = 0xF0000
"""Ranks are spelled as code points from here (Supplementary Private Use Area-A, 65,534 of them):
above every character a text holds, and still one character each."""
_FIRST_FINER = 0x20
"""A character's place among its primary group (its accent, then its case or width) is spelled
from here: above SEPARATOR, and one character each."""
SEPARATOR = "\x01"
"""Between the strengths and before the text: below every rank, so a text sorts before its own
continuations."""
SECONDARY, TERTIARY = "\x1e", "\x1f"
"""In text_order.txt, before a member of a group that starts a new accent, or case and width, group."""
SQL_FUNCTION = "tg_text_key"
"""The name SQLite knows `sql_sort_key` by (engine/expr/sqlite_functions.py lists it)."""
_STAND_IN = 0xE000
"""A contraction is replaced by a stand-in from here (Private Use Area) before ranking."""

_Table = dict[int, str | None]


@lru_cache(maxsize=1)
def _ranks() -> tuple[tuple[_Table, _Table, _Table], tuple[tuple[str, str], ...]]:
    """str.translate's tables for the three strengths (character -> its rank's code point, or None for
    the ignored ones) and the contractions: words ICU ranks apart from their first character (重庆
    sorts as chóng qìng). Control characters are ignored too, so no key holds SEPARATOR before its text."""
    ignored, *groups = files("engine").joinpath("text_order.txt").read_text(encoding="utf-8").split("\n")[:-1]
    gone: _Table = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), *map(ord, ignored)])
    primary, secondary, tertiary = dict(gone), dict(gone), dict(gone)
    contractions: list[tuple[str, str]] = []
    for rank, group in enumerate(groups):
        accent = case = 0
        for member in group.split("\t")[:-1] if "\t" in group else _members(group):
            if member.startswith(SECONDARY):
                accent, case = accent + 1, case + 1
            elif member.startswith(TERTIARY):
                case += 1
            member = member.lstrip(SECONDARY + TERTIARY)
            if len(member) > 1:  # ICU's `&虫<重庆/庆`: the word's first character ranks here, the rest as usual
                stand_in = chr(_STAND_IN + len(contractions))
                contractions.append((member, stand_in + member[1:]))
                member = stand_in
            primary[ord(member)] = chr(_FIRST_RANK + rank)
            secondary[ord(member)] = chr(_FIRST_FINER + accent)
            tertiary[ord(member)] = chr(_FIRST_FINER + case)
    return (primary, secondary, tertiary), tuple(contractions)


def _members(group: str) -> list[str]:
    """The characters of a line, each with the mark before it."""
    members: list[str] = []
    mark = ""
    for ch in group:
        if ch in (SECONDARY, TERTIARY):
            mark = ch
        else:
            members.append(mark + ch)
            mark = ""
    return members


def sort_key(text: str) -> str:
    """What Python and SQLite compare in place of `text`: ICU's Chinese order, unique per text."""
    tables, contractions = _ranks()
    ranked = text
    for word, stand_in in contractions:
        if word in ranked:
            ranked = ranked.replace(word, stand_in)
    return SEPARATOR.join([*(ranked.translate(table) for table in tables), text])


def sql_sort_key(value: Any) -> str | None:
    """sort_key as SQL calls it: NULL stays NULL; a number stored in a text field sorts as its text."""
    if value is None:
        return None
    return sort_key(value if isinstance(value, str) else str(value))


__all__ = ["sort_key", "sql_sort_key", "SEPARATOR", "SQL_FUNCTION"]
