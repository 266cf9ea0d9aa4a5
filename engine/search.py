"""The search index's words: overlapping character pairs, so a substring of any length is found.

Chinese has no spaces, so word indexes (and PostgreSQL's pg_trgm, which needs three characters and
a locale that counts 汉字 as letters) cannot find 华为 inside 深圳华为技术有限公司. Here each text
becomes the set of its adjacent character pairs plus its last character: a search for two or more
characters needs all of its pairs, a search for one character is a prefix match on the pairs that
start with it. The index only narrows the candidates; the database's LIKE decides, so a search
finds exactly what a scan would. Each character is written as four letters (a–z), which every
full-text engine keeps as one word, whatever its tokenizer thinks of punctuation or 汉字.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_LETTERS = 26
_WIDTH = 4
_SPACE = _LETTERS**_WIDTH  # 456,976 code points: all of the BMP and the CJK extension planes


def _letters(char: str) -> str:
    # A code point past the space (rare: private use planes) shares a word with another one; the
    # LIKE check after the index removes the false candidates that sharing can bring.
    n = ord(char) % _SPACE
    word = []
    for _ in range(_WIDTH):
        n, digit = divmod(n, _LETTERS)
        word.append(chr(97 + digit))
    return "".join(reversed(word))


def _folded(text: str) -> list[str]:
    """The characters compared: lower case (as LIKE over lower() compares), blanks dropped."""
    return [_letters(c) for c in text.lower() if not c.isspace()]


def document(texts: Iterable[str | None]) -> list[str]:
    """The words a record is indexed under: the pairs and last character of each searched value."""
    words: set[str] = set()
    for text in texts:
        chars = _folded(text) if isinstance(text, str) else []
        words.update(a + b for a, b in zip(chars, chars[1:], strict=False))
        if chars:
            words.add(chars[-1])
    return sorted(words)


@dataclass(frozen=True)
class Terms:
    """What a search asks of the index: every word in `words`, or any word starting with `prefix`."""

    words: tuple[str, ...] = ()
    prefix: str | None = None


def terms(text: str) -> Terms | None:
    """The index terms of a search, or None when the text has nothing to look for."""
    chars = _folded(text)
    if not chars:
        return None
    if len(chars) == 1:
        return Terms(prefix=chars[0])
    return Terms(words=tuple(sorted({a + b for a, b in zip(chars, chars[1:], strict=False)})))
