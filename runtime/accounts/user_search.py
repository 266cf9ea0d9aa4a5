"""Finding users by what is typed in a search box (用户管理, the people picker), through an index.

A user is found when the text is part of their username, display name, mobile or e-mail (the last two in
用户管理 only) — or of their display name's pinyin, full or initials (张伟 by zhangwei, zw, wei). `user_search_words` holds every
suffix of each of those, folded (NFKC, lower case), so "part of" is "a prefix of one word": a range on the
word's index instead of a scan of every user with LIKE '%…%' (54 ms p95 over 10,000 users before). The
words follow the user: `refresh` runs wherever a name, mobile or e-mail is written (runtime/accounts)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, delete, insert, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine import pinyin
from runtime.db.tables import user_search_words, users

MAX_WORD = 255
"""Characters kept of a word (the column's size); a longer search looks for its first MAX_WORD."""

_AFTER_EVERY = "\U0010ffff"  # sorts after any text that starts with the prefix (the words compare bytewise)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _suffixes(texts: Iterable[str]) -> set[str]:
    return {t[i:][:MAX_WORD] for t in texts for i in range(len(t)) if not t[i].isspace()}


def words_of(username: str, display_name: str | None, mobile: str | None, email: str | None) -> dict[str, bool]:
    """Every suffix of the user's folded texts and of the display name's pinyin spellings, each with whether
    it comes only from the mobile or e-mail (a contact word)."""
    names = [_fold(t) for t in (username, display_name) if t]
    if display_name:
        names += [s for s in pinyin.spelled(display_name).split(pinyin.SEPARATOR) if s]
    named = _suffixes(names)
    contacts = _suffixes(_fold(t) for t in (mobile, email) if t) - named
    return {w: False for w in named} | {w: True for w in contacts}


def refresh(conn: Connection, user_ids: Iterable[int]) -> None:
    """Write again the search words of these users (after their name, mobile or e-mail changed)."""
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):  # bounded IN lists
        chunk = ids[start:start + 500]
        conn.execute(delete(user_search_words).where(user_search_words.c.user_id.in_(chunk)))
        rows = conn.execute(select(users.c.id, users.c.username, users.c.display_name, users.c.mobile, users.c.email)
                            .where(users.c.id.in_(chunk)))
        found = [{"word": w, "user_id": r.id, "contact": contact} for r in rows
                 for w, contact in words_of(r.username, r.display_name, r.mobile, r.email).items()]
        if found:
            conn.execute(insert(user_search_words), found)


def refresh_all(conn: Connection) -> int:
    """Write the search words of every user (a migration, a bulk load); how many users."""
    ids: Sequence[int] = list(conn.scalars(select(users.c.id).order_by(users.c.id)))
    refresh(conn, ids)
    return len(ids)


def asked(text: str) -> list[str]:
    """The prefixes a search looks for: the folded text, and with 汉字 mixed with letters its pinyin
    spellings ("张w" also as zhangw, zw)."""
    folded = _fold(text.strip())[:MAX_WORD]
    return list(dict.fromkeys([folded, *pinyin.asked(folded)])) if folded else []


def matching(text: str, *, contacts: bool = True) -> ColumnElement[bool] | None:
    """A WHERE clause on `users`: the users `text` finds (None for a blank text: everyone); by their mobile
    and e-mail too only with `contacts` (用户管理: the people picker must not tell whose number it is)."""
    prefixes = asked(text)
    if not prefixes:
        return None
    ranges = [and_(user_search_words.c.word >= p, user_search_words.c.word < p + _AFTER_EVERY) for p in prefixes]
    words = select(user_search_words.c.user_id).where(or_(*ranges))
    if not contacts:
        words = words.where(user_search_words.c.contact.is_(False))
    return users.c.id.in_(words)


__all__ = ["words_of", "refresh", "refresh_all", "asked", "matching", "MAX_WORD"]
