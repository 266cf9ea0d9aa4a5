"""The search index's words: overlapping character pairs, so a substring of any length is found.

Chinese has no spaces, so word indexes (and PostgreSQL's pg_trgm, which needs three characters and
a locale that counts 汉字 as letters) cannot find 华为 inside 深圳华为技术有限公司. Here each text
becomes the set of its adjacent character pairs plus its last character: a search for two or more
characters needs all of its pairs, a search for one character is a prefix match on the pairs that
start with it. The index only narrows the candidates; the database's LIKE decides, so a search
finds exactly what a scan would. Each character is written as the four hex digits of its UTF-16
code unit, which every full-text engine keeps as one word, whatever its tokenizer thinks of
punctuation or 汉字.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_WIDTH = 4  # hex digits per UTF-16 code unit (a character outside the BMP is a pair of units)


def _folded(text: str) -> str:
    """The characters compared, four hex digits each: lower case (as LIKE over lower() compares),
    blanks dropped; all of it C string methods, as every record written pays for it."""
    return "".join(text.lower().split()).encode("utf-16-be").hex()


def _pairs(digits: str) -> set[str]:
    return {digits[i : i + 2 * _WIDTH] for i in range(0, len(digits) - _WIDTH, _WIDTH)}


def document(texts: Iterable[str | None]) -> list[str]:
    """The words a record is indexed under: the pairs and last character of each searched value."""
    words: set[str] = set()
    for text in texts:
        digits = _folded(text) if isinstance(text, str) else ""
        if digits:
            words |= _pairs(digits)
            words.add(digits[-_WIDTH:])
    return list(words)


_TO_HALF = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}  # ！…～ and the ideographic space
_TO_FULL = {half: full for full, half in _TO_HALF.items()}


def spellings(text: str) -> list[str]:
    """What a search looks for: the text as typed, then its half-width and its full-width forms where
    they differ. A Chinese input method in full-width mode types ＡＢＣ１３８ for ABC138, and names are
    keyed in both ways (汉字 have one width and stay as they are); a record holding either is found."""
    found = [text]
    for table in (_TO_HALF, _TO_FULL):
        other = text.translate(table)
        if other not in found:
            found.append(other)
    return found


@dataclass(frozen=True)
class Terms:
    """What a search asks of the index: every word in `words`, or any word starting with `prefix`."""

    words: tuple[str, ...] = ()
    prefix: str | None = None


MAX_WORDS = 4
"""Most words a search asks for. Each word costs the index its whole posting list (a phone number's
pairs like 13, 38, 00 are in nearly every record), and four pairs that do not overlap already name
few records; LIKE checks the rest of the text."""


def terms(text: str) -> Terms | None:
    """The index terms of a search, or None when the text has nothing to look for: pairs that do not
    overlap (the last one may, to reach the last character), at most MAX_WORDS of them, from both ends."""
    digits = _folded(text)
    if not digits:
        return None
    units = len(digits) // _WIDTH
    if units == 1:
        return Terms(prefix=digits)
    starts = list(range(0, units - 1, 2))
    if units % 2:
        starts.append(units - 2)
    if len(starts) > MAX_WORDS:
        starts = starts[: MAX_WORDS // 2] + starts[-(MAX_WORDS // 2) :]
    return Terms(words=tuple(sorted({digits[i * _WIDTH : (i + 2) * _WIDTH] for i in starts})))


SPELLING_WORD = 5
"""Letters per word of a pinyin spelling (engine/pinyin.py) in the index: every run of five letters, and
the shorter runs that end a spelling. A search of five letters or more asks for its own runs, which overlap
by four: a name holds them all without spelling the search only if it holds pieces of it that share four
letters (a syllable like heng or cheng, repeated), where runs of three letters met in thousands of names
that never spelled it (xinfengzheng for fengzhengxin; measured in docs/benchmarks.md). A shorter search
(szhr, hrjm) asks for the words that start with it: exactly the records holding it."""

SPELLING_SHORTEST = 3
"""Fewest letters a pinyin search asks the index for: two letters are in most names, the list scans."""

SPELLING_MAX_WORDS = 8
"""Most runs a pinyin search asks for, spread from end to end; each one costs its posting list."""

SPELLING_MARK = "p"
"""First letter of a spelling's words: not a hex digit, so they never meet a text's words (which a text
search of one character asks for by prefix) nor those its prefixes."""


def _spelled_letters(text: str) -> str:
    """A spelling as its words write it: lower case, blanks dropped, letters and digits kept; any other
    character written as 0, so a word stays one token in FTS5 and in a tsvector (only more candidates:
    LIKE decides)."""
    folded = "".join(text.lower().split())
    if folded.isascii() and folded.isalnum():  # nearly always: pinyin
        return folded
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9") else "0" for c in folded)


def spelling_document(spellings: Iterable[str]) -> list[str]:
    """The words a record's pinyin spellings are indexed under: every run of SPELLING_WORD letters, and each
    of its last runs that are shorter (down to SPELLING_SHORTEST), which a short search finds by prefix."""
    words: set[str] = set()
    size, shortest, mark = SPELLING_WORD, SPELLING_SHORTEST, SPELLING_MARK
    for spelled in spellings:
        letters = _spelled_letters(spelled)
        end = len(letters)
        words.update(mark + letters[i : i + size] for i in range(0, end - shortest + 1))
    return list(words)


def spelling_terms(text: str) -> Terms | None:
    """The index terms of a pinyin search (szhr, suzhouhengrui): below SPELLING_WORD letters, every word that
    starts with it; else its runs of SPELLING_WORD letters, at most SPELLING_MAX_WORDS spread from end to end;
    None below SPELLING_SHORTEST letters (too common a search for the index to narrow)."""
    letters = _spelled_letters(text)
    size = SPELLING_WORD
    if len(letters) < SPELLING_SHORTEST:
        return None
    if len(letters) < size:
        return Terms(prefix=SPELLING_MARK + letters)
    starts = list(range(0, len(letters) - size + 1))
    if len(starts) > SPELLING_MAX_WORDS:
        last = len(starts) - 1
        starts = sorted({starts[round(k * last / (SPELLING_MAX_WORDS - 1))] for k in range(SPELLING_MAX_WORDS)})
    return Terms(words=tuple(sorted({SPELLING_MARK + letters[i : i + size] for i in starts})))
