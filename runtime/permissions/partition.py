"""A department-scoped list as one top-N per department, merged: the plan that stays fast at any size.

`department IN (a, b, c) ORDER BY id DESC LIMIT 50` leaves SQLite two bad plans: walk the whole form
newest first and test each row's department (slow when the departments' records are not recent), or
read every record of the departments and sort them (slow when they are many). Each department on its
own reads the (app, form, department, id) index in order and stops after 50; merging k such lists of
50 is trivial. Same rows, same order, same cursor as listing.list_records."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from engine.forms.fields.base import ValueContext
from runtime.db.tables import records
from runtime.records import listing, totals
from runtime.records.columns import column
from runtime.records.context import FormRef

MAX_PARTS = 32  # beyond this many departments one plain query is simpler for the database


def list_by_department(conn: Connection, ref: FormRef, query: listing.ListQuery, departments: list[str],
                       ctx: ValueContext) -> listing.Page:
    """One page of the records kept by `departments` (query.where must not hold the scope itself)."""
    pages = []
    count = None
    keys: list[listing.SortKey] = []
    query = listing.resolve_search(conn, ref, query, ctx)
    for i, department in enumerate(sorted(departments)):
        mine = listing.selective(records.c.department == department, conn.dialect.name)
        part = replace(query, where=[*query.where, mine], count=False)
        page, _, keys = listing.build_select(conn, ref, part, ctx)
        pages.append(select(page.add_columns(*_ordered_by(ref, keys, conn.dialect.name)).subquery(f"p{i}")))
    if query.count:
        counted = replace(query, where=[*query.where, records.c.department.in_(sorted(departments))], count=True)
        count = listing.build_select(conn, ref, counted, ctx)[1]
    merged = union_all(*pages).subquery("merged")
    order = [merged.c[f"_o{i}"].desc() if k.descending else merged.c[f"_o{i}"].asc() for i, k in enumerate(keys)]
    # All of `merged`, not all but `_o`…: so SQLite merges the parts' sorted streams and stops at the limit.
    rows = conn.execute(select(merged).order_by(*order).limit(query.limit + 1)).all()
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = listing.encode_cursor(keys, [getattr(rows[-1], f"_s{i}") for i in range(len(keys))])
    total, exact = totals.total(conn, count, query.estimate_above, listing.of_form(ref)) if count is not None else (None, True)
    return listing.Page(rows, next_cursor, total, exact)


def _ordered_by(ref: FormRef, keys: list[listing.SortKey], dialect: str) -> list[ColumnElement[Any]]:
    """What each part is ordered by, as columns `_o0`, `_o1`… for the merge to order by the same. Not
    the values `_s0`… the cursor carries: a select sorts by its option's position and text in Chinese
    order (ICU's collation on PostgreSQL, tg_text_key on SQLite), neither of which its value gives
    (by code point 华北 < 华南 and apple < 阿里巴巴). The page's rows carry these columns too."""
    return [column(ref.form, k.key, dialect).sort_expr().label(f"_o{i}") for i, k in enumerate(keys)]


__all__ = ["MAX_PARTS", "list_by_department"]
