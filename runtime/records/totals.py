"""A list's total: exact up to a bound, a marked estimate beyond it.

Counting a form's records exactly reads every one that matches (the live test, `version > 0`, is on
the row, not in the indexes): at 1.1 million records 1.1 s on SQLite, 0.3 s on PostgreSQL, for a
number a list shows as "约 110 万". So a list counts at most `bound` + 1 matching records; when there
are more it estimates from a sample and says so (`exact` False), and the exact figure is there on
request (`count=exact`, docs/api.md).

The estimate: SAMPLE ids drawn at random (seeded by the id range, so the same question gets the same
answer) between the form's lowest and highest id; the records among them that match, scaled by that
range over the sample, are the estimate. (PostgreSQL's own row estimate would cost nothing, but it
keeps no statistics for the expressions of partial indexes, so for `status = 新建` it guesses 0.5 %.) Unbiased for
any filter (a sample by position, the newest records say, is not: a status that only new records
have would be extrapolated to the whole form), and one lookup per id: a few milliseconds on both
databases. Its relative spread is about 1/√(matches in the sample), ±10 % for a tenth of a form, so it
is rounded to two significant figures.

The bounded count reads the first `bound` + 1 matches and stops, when the database reads them in an
order it can stop in: an index whose range holds the matches (indexes.counting_index, for filters that
are equalities on the fields an index leads with). PostgreSQL took a bitmap scan, which reads every
index entry of the range before the first record (100,000 for `status = 新建` at a million: 25–40 ms),
because it guesses 0.5 % of the rows for the partial index's expression and so expects to need them
all; with bitmap scans off for that one statement it walks the index and stops after 5,001 (3 ms).
SQLite took an index sorted by amount, visiting the records in random order (14 ms); named
(`INDEXED BY`), the one in id order visits them as they are stored (2.5 ms).
"""

from __future__ import annotations

import json
import random
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from runtime.db.tables import records

EXACT_UP_TO = 5_000
"""The API's and the list page's bound: up to this many records the total is exact."""
SAMPLE = 1_000


def total(conn: Connection, count: Select[Any], bound: int | None, form: list[ColumnElement[bool]],
          index: tuple[str, bool] | None = None) -> tuple[int, bool]:
    """(total, exact) of `count` (a list's `SELECT count(*) … WHERE …` on the form `form` names,
    listing.of_form): exact when `bound` is None or at most `bound` records match, else an estimate.
    `index`: (name, in id order) of an index whose one range holds the records `count` matches
    (indexes.counting_index), which the bounded count then reads."""
    if bound is None:
        return int(conn.scalar(count) or 0), True
    where = count.whereclause
    assert where is not None  # a list's count always names its form
    found = _bounded(conn, select(records.c.id).where(where).limit(bound + 1), index)
    if found <= bound:
        return found, True
    return max(_estimate(conn, where, form), bound + 1), False


def _bounded(conn: Connection, matches: Select[Any], index: tuple[str, bool] | None) -> int:
    """How many rows `matches` (a select with a LIMIT) yields, read through `index` when given."""
    def counted(inner: Select[Any]) -> int:
        return int(conn.scalar(select(func.count()).select_from(inner.subquery())) or 0)

    if index is None:
        return counted(matches)
    if conn.dialect.name == "postgresql":
        # For this statement only: set_config(…, true) lasts to the transaction's end, so the setting is put
        # back after (on an error the transaction is over, and the setting with it). Read and set in one
        # round trip: the subquery's row (the value before) is made before the filter sets it.
        was = conn.scalar(text("SELECT was FROM (SELECT current_setting('enable_bitmapscan') AS was OFFSET 0) AS s "
                               "WHERE set_config('enable_bitmapscan', 'off', true) = 'off'"))
        found = counted(matches)
        conn.execute(text("SELECT set_config('enable_bitmapscan', :was, true)"), {"was": was})
        return found
    name, in_id_order = index
    if in_id_order:
        try:
            return counted(matches.with_hint(records, f"INDEXED BY {name}", "sqlite"))
        except OperationalError as e:  # the condition is not the index's expression after all
            if "no query solution" not in str(e):
                raise
    return counted(matches)


def _estimate(conn: Connection, where: ColumnElement[bool], form: list[ColumnElement[bool]]) -> int:
    # The form's id range: two seeks at the ends of its (app, form, id) index (with the list's filters
    # the database may read every record to find the lowest match: 2.5 s at a million on SQLite).
    # Each in a query of its own: SQLite seeks for a lone min() or max() only.
    low, high = (conn.scalar(select(end(records.c.id)).where(*form, records.c.deleted_at.is_(None)))
                 for end in (func.min, func.max))
    span = high - low + 1
    rng = random.Random(f"{low}:{high}")
    ids = sorted(rng.sample(range(low, high + 1), min(SAMPLE, span)))
    matched = int(conn.scalar(select(func.count()).select_from(records).where(where, _among(ids, conn.dialect.name)))
                  or 0)
    return _rounded(matched * span / len(ids))


def _among(ids: list[int], dialect: str) -> ColumnElement[bool]:
    """`id IN (…)` for thousands of ids as one parameter (an array, or JSON on SQLite)."""
    if dialect == "postgresql":
        return text("records.id = ANY(CAST(:sampled AS BIGINT[]))").bindparams(bindparam("sampled", ids))
    return text("records.id IN (SELECT value FROM json_each(:sampled))").bindparams(
        bindparam("sampled", json.dumps(ids)))


def _rounded(value: float) -> int:
    """Two significant figures: 1,134,567 → 1,100,000."""
    if value < 100:
        return round(value)
    scale = 10 ** (len(str(int(value))) - 2)
    return round(value / scale) * scale
