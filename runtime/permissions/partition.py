"""A department-scoped list as one top-N per department, merged: the plan that stays fast at any size.

`department IN (a, b, c) ORDER BY id DESC LIMIT 50` leaves SQLite two bad plans: walk the whole form
newest first and test each row's department (slow when the departments' records are not recent), or
read every record of the departments and sort them (slow when they are many). Each department on its
own reads the (app, form, department, id) index in order and stops after 50; merging k such lists of
50 is trivial. Same rows, same order, same cursor as listing.list_records."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection, select, union_all

from engine.forms.fields.base import ValueContext
from runtime.db.tables import records
from runtime.records import listing
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
        pages.append(select(page.subquery(f"p{i}")))
    if query.count:
        counted = replace(query, where=[*query.where, records.c.department.in_(sorted(departments))], count=True)
        count = listing.build_select(conn, ref, counted, ctx)[1]
    merged = union_all(*pages).subquery("merged")
    order = [merged.c[f"_s{i}"].desc() if k.descending else merged.c[f"_s{i}"].asc() for i, k in enumerate(keys)]
    rows = conn.execute(select(merged).order_by(*order).limit(query.limit + 1)).all()
    next_cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        next_cursor = listing.encode_cursor(keys, [getattr(rows[-1], f"_s{i}") for i in range(len(keys))])
    return listing.Page(rows, next_cursor, conn.scalar(count) if count is not None else None)


__all__ = ["MAX_PARTS", "list_by_department"]
