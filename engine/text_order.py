"""Text in Chinese order: Han characters by pinyin (阿 北 重庆 李 王 张), case and width ignored.

PostgreSQL sorts such text with ICU's collation `zh-x-icu`. SQLite has no ICU, so its indexes and
queries sort `sort_key(text)` instead: each character becomes its rank in ICU's order at primary
strength (text_order.txt, made from PostgreSQL's ICU by runtime/io/text_order_table.py), so both
databases put the same texts in the same order. Characters ICU ignores (combining marks, soft
hyphens) and control characters are left out; characters beyond the table (emoji, the rarest Han)
keep their code point, which sorts them before the rest.

Text that differs only in what the primary strength ignores (`Apple`, `apple`, `Ａpple`) gets the
same ranks; the key then ends with the text itself, so it still tells every text apart (an equality
on keys is an equality on texts, and a unique index on keys is one on texts) and ties go by code
point. PostgreSQL breaks those ties by ICU's finer strengths, so only such ties may differ."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

_FIRST_RANK = 0xF0000
"""Ranks are spelled as code points from here (Supplementary Private Use Area-A, 65,534 of them):
above every character a text holds, and still one character each."""
SEPARATOR = "\x01"
"""Between the ranks and the text: below every rank, so a text sorts before its own continuations."""
SQL_FUNCTION = "tg_text_key"
"""The name SQLite knows `sql_sort_key` by (engine/expr/sqlite_functions.py registers it)."""
_STAND_IN = 0xE000
"""A contraction is replaced by a stand-in from here (Private Use Area) before ranking."""


@lru_cache(maxsize=1)
def _ranks() -> tuple[dict[int, str | None], tuple[tuple[str, str], ...]]:
    """str.translate's table (character -> its rank's code point, or None for the ignored ones) and
    the contractions: words ICU ranks apart from their first character (重庆 sorts as chóng qìng).
    Control characters are ignored too, so no key holds SEPARATOR before its text begins."""
    ignored, *groups = files("engine").joinpath("text_order.txt").read_text(encoding="utf-8").split("\n")[:-1]
    table: dict[int, str | None] = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), *map(ord, ignored)])
    contractions = []
    for rank, group in enumerate(groups):
        for member in group.split("\t")[:-1] if "\t" in group else group:
            if len(member) > 1:  # ICU's `&虫<重庆/庆`: the word's first character ranks here, the rest as usual
                stand_in = chr(_STAND_IN + len(contractions))
                contractions.append((member, stand_in + member[1:]))
                member = stand_in
            table[ord(member)] = chr(_FIRST_RANK + rank)
    return table, tuple(contractions)


def sort_key(text: str) -> str:
    """What SQLite compares in place of `text`: ordered as ICU's Chinese order, unique per text."""
    table, contractions = _ranks()
    ranked = text
    for word, stand_in in contractions:
        if word in ranked:
            ranked = ranked.replace(word, stand_in)
    return ranked.translate(table) + SEPARATOR + text


def sql_sort_key(value: Any) -> str | None:
    """sort_key as SQLite calls it: NULL stays NULL; a number stored in a text field sorts as its text."""
    if value is None:
        return None
    return sort_key(value if isinstance(value, str) else str(value))


__all__ = ["sort_key", "sql_sort_key", "SEPARATOR", "SQL_FUNCTION"]
