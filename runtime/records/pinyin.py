"""The pinyin spellings of each record's searched text fields (record_pinyin), and the search's test on them.

A record holding 苏州恒瑞 in a searched field is stored with that field's spellings (engine/pinyin.py):
a search typed in pinyin ("szhr", "suzhouhengrui", "苏州hr") matches a row of the fields the reader may
search (hidden and masked ones are never asked). The rows follow the search index (runtime/records/search.py
writes and renews both), whose documents carry the spellings' words too, so a pinyin search is narrowed by
the same index probe as any other and never scans a million records for a rare name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, String, bindparam, delete, exists, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine import pinyin
from engine.forms.model import FormDefinition
from runtime.db.tables import record_pinyin, records
from runtime.records.bulk import write_rows


def spelled_values(form: FormDefinition, data: Mapping[str, Any], keys: Sequence[str] | None = None) -> dict[str, str]:
    """Searched field (of `keys`, default all) → its spellings, for the fields whose value holds 汉字."""
    found = {}
    for key in form.searched_fields if keys is None else keys:
        value = data.get(key)
        if isinstance(value, str) and (spelled := pinyin.spelled(value)):
            found[key] = spelled
    return found


def write(
    conn: Connection,
    form: FormDefinition,
    ids: Sequence[int],
    spellings: Sequence[Mapping[str, str]],
    *,
    replace: bool = False,
) -> None:
    """Store (replace=True: renew) the spellings of these records (spelled_values of each)."""
    if replace:
        conn.execute(delete(record_pinyin).where(record_pinyin.c.record_id.in_(list(ids))))
    rows = [(i, key, spelled) for i, found in zip(ids, spellings, strict=True) for key, spelled in found.items()]
    if rows:
        write_rows(conn, "record_pinyin", ("record_id", "field", "spelled"), rows)


def clause(fields: Sequence[str], asked: str) -> ColumnElement[bool] | None:
    """The search's pinyin test on `records`: one of `fields` is spelled with what was asked (full
    pinyin or initials, 汉字 in it spelled both ways); None when the search has no latin letters."""
    wanted = pinyin.asked(asked)
    if not wanted or not fields:
        return None
    tests = []
    for spelling in wanted:
        escaped = spelling.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        tests.append(record_pinyin.c.spelled.like(bindparam(None, f"%{escaped}%", type_=String()), escape="\\"))
    return exists(
        select(1).where(record_pinyin.c.record_id == records.c.id, record_pinyin.c.field.in_(list(fields)), or_(*tests))
    )


__all__ = ["clause", "spelled_values", "write"]
