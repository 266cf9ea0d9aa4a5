"""The recycle bin (回收站) of a form: its deleted records, newest deletion first, with who deleted them and
when, and for a merged one the record it went into. Restoring stays the records API's job
(POST …/records/{id}/restore, which also undoes a merge: runtime/records/merge.py).

The bin reads the form's deleted records through their own index (ix_records_form_deleted: the list's
covers live records only), and searches them as the list searches, pinyin included, through the search
index, which keeps a deleted record's document: no scan of the form either way."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.errors import BadQuery
from runtime.db.tables import record_merges, records
from runtime.records.context import FormRef
from runtime.records.listing import LISTED, MAX_LIMIT, search_clause
from runtime.records.titles import titles


@dataclass(frozen=True)
class BinQuery:
    """One page of the bin: `where` the actor's restore scope, `search` text in the `search_in` fields."""

    where: ColumnElement[bool] | None
    search: str | None
    search_in: tuple[str, ...]
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True)
class BinPage:
    items: list[Row[Any]]
    merged_into: dict[int, tuple[int, str]]
    """Merged record id → (survivor id, survivor title), for the merges not undone."""
    next_cursor: str | None


def _cursor(row: Row[Any]) -> str:
    return base64.urlsafe_b64encode(f"{row.deleted_at.isoformat()}|{row.id}".encode()).decode()


def _after(cursor: str) -> ColumnElement[bool]:
    """The records deleted before the cursor's (same time: smaller id), as the page is sorted."""
    try:
        at, _, rid = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when, record_id = datetime.fromisoformat(at), int(rid)
        if not 0 < record_id < 1 << 63:  # beyond 64 bits the driver would overflow, not answer
            raise ValueError(rid)
    except ValueError:
        raise BadQuery("无法识别的 cursor", "cannot read the cursor", field="cursor") from None
    return or_(records.c.deleted_at < when, and_(records.c.deleted_at == when, records.c.id < record_id))


def bin_select(conn: Connection, ref: FormRef, query: BinQuery) -> Select[Any]:
    """The select of one page of the bin (and one row more: is there a next page?)."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadQuery(f"limit 应在 1 到 {MAX_LIMIT} 之间", f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    where = [
        records.c.app == ref.app_key,
        records.c.form == ref.form.key,
        records.c.deleted_at.is_not(None),
        records.c.version > 0,
    ]
    if query.where is not None:
        where.append(query.where)
    if query.search and query.search_in:
        where.append(search_clause(conn, ref, query.search, query.search_in))
    if query.cursor:
        where.append(_after(query.cursor))
    order = (records.c.deleted_at.desc(), records.c.id.desc())
    return select(*LISTED).where(*where).order_by(*order).limit(query.limit + 1)


def deleted_records(conn: Connection, ref: FormRef, query: BinQuery) -> BinPage:
    """The form's deleted records the query reaches, newest deletion first; `updated_by` is who deleted."""
    rows = conn.execute(bin_select(conn, ref, query)).all()
    next_cursor = _cursor(rows[query.limit - 1]) if len(rows) > query.limit else None
    rows = rows[: query.limit]
    merges = {
        m.merged_id: m.survivor_id
        for m in conn.execute(
            select(record_merges.c.merged_id, record_merges.c.survivor_id).where(
                record_merges.c.merged_id.in_([r.id for r in rows]), record_merges.c.undone_at.is_(None)
            )
        )
    }
    names = titles(conn, ref.app, set(merges.values()))
    return BinPage(rows, {m: (s, names.get(s, f"#{s}")) for m, s in merges.items()}, next_cursor)
