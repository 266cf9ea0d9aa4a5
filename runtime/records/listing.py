"""Record lists: filters, sorts, keyset cursors and field projection, compiled to one indexed query.

A `filter[f][op]=v` arrives as a Condition (field, operator, value): checked here, then written as
the expression it means (`f != v`, `ISBLANK(f)`, `COUNTIF(f, v) > 0` …) and compiled by the one
expression compiler, as `filter=<expression>` is; those and the permissions' row scope come in
through `ListQuery.where`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Connection,
    Row,
    Select,
    String,
    bindparam,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from engine import pinyin as pinyin_words
from engine import search as search_words
from engine.errors import BadQuery, FieldValueError
from engine.expr.evaluate import EvalContext
from engine.expr.nodes import BOOL, DATE, DATETIME, NUMBER, Binary, Call, FieldRef, InList, Literal, Node, Type, Unary
from engine.expr.scope import field_type
from engine.forms.fields.base import EQUALITY_OPS, ValueContext
from engine.forms.system_fields import SYSTEM_FIELDS
from runtime.db.tables import live, records
from runtime.records import indexes, pinyin, search, totals
from runtime.records.columns import SqlColumn, column, is_system, refuse_encrypted
from runtime.records.context import FormRef
from runtime.records.expressions import node_clause

MAX_LIMIT = 500
MAX_SORT_KEYS = 10
"""Fields one list may be sorted by: each is a column of the query and of the cursor."""
LISTED = [records.c[name] for name in ("id", "data", "version", "owner", "department", "created_at", "created_by",
                                       "updated_at", "updated_by", "deleted_at")]
"""The columns a list shows (not app, form, def_version: the query fixes or does not need them)."""


def selective(clause: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    """`clause` marked for SQLite's planner as true for few of a form's records: a row scope (the
    records of some owners or departments). Without statistics SQLite takes a list sorted by an
    indexed field through that field's index and tests the scope on each record, which is fast for a
    large scope and slow for a small one: 343 ms to find a rep's 50 customers among 150,000 sorted
    by name. Marked `unlikely`, the scope's own index reads its records and they are sorted (1.4 ms
    for those 50, 34 ms for a rep with 7,500): the cost follows what the user may see. The mark
    leaves the term usable by an index; PostgreSQL plans from statistics and gets `clause` as is."""
    return func.unlikely(clause, type_=Boolean) if dialect == "sqlite" else clause


@dataclass(frozen=True)
class Condition:
    """`key op value` — e.g. region eq 华东, amount gt 100000, tags has VIP."""

    key: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class SortKey:
    key: str
    descending: bool = False


@dataclass(frozen=True)
class ListQuery:
    """What a list asks for. `where` holds extra clauses (expression filters, row scopes)."""

    conditions: list[Condition] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    limit: int = 50
    cursor: str | None = None
    count: bool = False
    where: list[ColumnElement[bool]] = field(default_factory=list)
    search: str | None = None  # text that one of `search_in` contains (the form's searched fields)
    search_in: tuple[str, ...] = ()
    estimate_above: int | None = None
    """Count exactly up to this many records and estimate beyond (runtime/records/totals.py); None: exact."""


@dataclass(frozen=True)
class Page:
    items: list[Row[Any]]
    next_cursor: str | None
    total: int | None = None
    exact: bool = True  # False: `total` is an estimate (more than the query's estimate_above)


def parse_sort(ref: FormRef, spec: str | None, dialect: str) -> list[SortKey]:
    """`-amount,name` → [amount desc, name asc]; unknown, unsortable or repeated keys raise BadQuery,
    and so do more than MAX_SORT_KEYS of them."""
    keys: list[SortKey] = []
    for part in (spec or "").split(","):
        part = part.strip()
        if not part:
            continue
        key = part.removeprefix("-")
        column(ref.form, key, dialect)  # raises for unknown / unsortable
        refuse_encrypted(ref.form.by_key.get(key), "sort")
        if any(k.key == key for k in keys):  # sorting twice by one field says nothing more
            raise BadQuery(f"排序字段 {key} 重复", f"sort names {key!r} twice", field="sort")
        if len(keys) == MAX_SORT_KEYS:
            raise BadQuery(f"最多按 {MAX_SORT_KEYS} 个字段排序", f"sort by at most {MAX_SORT_KEYS} fields", field="sort")
        keys.append(SortKey(key, part.startswith("-")))
    return keys


def _filter_value(ref: FormRef, col: SqlColumn, op: str, raw: Any, ctx: ValueContext) -> Any:
    if col.field is None:
        if col.storage == "integer":
            try:
                return int(raw)
            except (TypeError, ValueError):
                raise BadQuery(f"{col.key} 应为整数", f"{col.key} must be an integer", field=col.key) from None
        if col.storage == "timestamp":
            try:
                return datetime.fromisoformat(str(raw))
            except ValueError:
                raise BadQuery(f"{col.key} 应为日期时间", f"{col.key} must be an ISO datetime",
                               field=col.key) from None
        return str(raw)
    if op in ("contains", "starts_with"):
        return str(raw)
    try:
        return col.field.normalize(raw, ctx)
    except FieldValueError as e:
        raise BadQuery(f"筛选“{col.field.label}”：{e.message}", f"filter on {col.key!r}: {e.message_en or e.message}",
                       field=col.key) from None


_SYMBOLS = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
"""The bracket form's comparison operators as the expression language writes them."""


def _literal(kind: Type | None, value: Any) -> Literal:
    """A checked filter value as the constant of an expression, typed as the field (or a list's item) is."""
    if kind is not None and kind.is_list:
        kind = kind.item
    if kind == NUMBER:
        value = Decimal(str(value))
    elif kind == DATE:
        value = date.fromisoformat(str(value))
    elif kind == DATETIME:
        value = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        value = value if value.tzinfo else value.replace(tzinfo=UTC)  # created_at=2026-01-01T08:00 is UTC, as stored
    elif kind == BOOL:
        value = bool(value)
    else:
        value = str(value)
    return Literal(0, 0, value)


def condition_node(ref: FormRef, cond: Condition, dialect: str, ctx: ValueContext) -> Node:
    """One condition as the expression it means, its value checked and normalised like input:
    `eq` is `=`, `ne` `!=` (blanks kept), `in` `IN [...]`, `blank` `ISBLANK(f)`, `contains`
    `CONTAINS(f, "…")`, `has` `COUNTIF(f, v) > 0`. BadQuery (400) names the field when the
    field, the operator or the value is wrong."""
    field_def = ref.form.by_key.get(cond.key)
    if field_def is None and not is_system(cond.key):
        raise BadQuery(f"表单“{ref.form.name}”没有字段 {cond.key}",
                       f"form {ref.form.key!r} has no field {cond.key!r}", field=cond.key)
    ops = field_def.filter_ops if field_def else ("eq", "ne", "in", "lt", "lte", "gt", "gte", "blank",
                                                         "not_blank")
    if cond.op not in EQUALITY_OPS:
        refuse_encrypted(field_def, cond.op)
    if cond.op not in ops:
        raise BadQuery(f"“{cond.key}”不支持筛选条件 {cond.op}（可用：{', '.join(ops)}）",
                       f"field {cond.key!r} does not support {cond.op!r}; use one of {', '.join(ops)}",
                       field=cond.key)
    named = FieldRef(0, 0, (cond.key,))
    if cond.op in ("blank", "not_blank"):
        blank = Call(0, 0, "ISBLANK", [named])
        return blank if cond.op == "blank" else Unary(0, 0, "NOT", blank)
    kind = SYSTEM_FIELDS[cond.key].expression_type if field_def is None else field_type(field_def)
    if cond.op == "has":
        member: Any = cond.value
        if field_def is not None and type(field_def).refers_to == "record":
            member = _filter_value(ref, column(ref.form, "id", dialect), "eq", member, ctx)
        count = Call(0, 0, "COUNTIF", [named, _literal(kind, member)])
        return Binary(0, 0, ">", count, Literal(0, 0, Decimal(0)))
    col = column(ref.form, cond.key, dialect)
    if cond.op == "in":
        values = cond.value if isinstance(cond.value, list) else str(cond.value).split(",")
        options = [_literal(kind, _filter_value(ref, col, "eq", v, ctx)) for v in values if str(v).strip()]
        return InList(0, 0, named, options)  # type: ignore[arg-type]
    value = _filter_value(ref, col, cond.op, cond.value, ctx)
    if cond.op in ("contains", "starts_with"):
        return Call(0, 0, "CONTAINS" if cond.op == "contains" else "STARTSWITH", [named, Literal(0, 0, value)])
    return Binary(0, 0, _SYMBOLS[cond.op], named, _literal(kind, value))


def condition_clause(ref: FormRef, cond: Condition, dialect: str, ctx: ValueContext) -> ColumnElement[bool]:
    """One `filter[key][op]=value` as SQL: its expression (condition_node) compiled as `filter=` is
    (runtime/records/expressions.py), over the same expressions the indexes are built on."""
    node = condition_node(ref, cond, dialect, ctx)
    if cond.op in ("contains", "starts_with"):
        # The list's text filter ignores the case of ASCII letters, as `q=` does; the language's CONTAINS
        # and STARTSWITH count case, so these two keep the search's LIKE test (its value checked above).
        asked = node.args[1].value  # type: ignore[attr-defined]
        return _like(column(ref.form, cond.key, dialect), asked, dialect, anywhere=cond.op == "contains")
    return node_clause(ref, node, dialect, cond.key, EvalContext(ctx.now, ctx.timezone))


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, float):
        return {"f": repr(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "d" in value:
            return Decimal(value["d"])
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "f" in value:
            return float(value["f"])
    return value


def _sort_signature(keys: list[SortKey]) -> str:
    spec = ",".join(("-" if k.descending else "") + k.key for k in keys)
    return hashlib.sha1(spec.encode()).hexdigest()[:8]


def encode_cursor(keys: list[SortKey], values: list[Any]) -> str:
    payload = json.dumps({"s": _sort_signature(keys), "v": [_encode(v) for v in values]}, ensure_ascii=False)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(keys: list[SortKey], cursor: str) -> list[Any]:
    """The sort values a cursor carries; BadQuery if it is malformed or made for another sort."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        values = [_decode(v) for v in payload["v"]]
        signature = payload["s"]
    except (ValueError, KeyError, TypeError):
        raise BadQuery("分页游标无效", "the cursor is malformed", field="cursor") from None
    if signature != _sort_signature(keys) or len(values) != len(keys):
        raise BadQuery("分页游标与排序不一致", "the cursor was made for another sort order", field="cursor")
    return values


def _keyset(columns: list[SqlColumn], keys: list[SortKey], values: list[Any], dialect: str) -> ColumnElement[bool]:
    """Rows after `values` in the sort order. PostgreSQL, with every key in one direction, compares
    the rows as one value, `(k1, id) < (v1, v2)`: a single index range, which its cached generic plan
    keeps too (the OR form below cost a deep page 0.6 ms more once prepared). Otherwise one OR-branch
    per key prefix, plus a leading range on the first key so the database seeks into the index
    instead of scanning from its start (SQLite makes no index range of a row comparison). That form
    is written as SQL text with its parameters: built from SQLAlchemy's operators it took 132–152 µs
    with the statement's cache key, as text 78–83 µs, for a deep page of 1.0–1.3 ms on SQLite."""
    try:
        params = [c.parameter(v, dialect, f"after{i}") for i, (c, v) in enumerate(zip(columns, values, strict=True))]
    except (TypeError, ValueError, ArithmeticError):
        raise BadQuery("分页游标无效", "the cursor is malformed", field="cursor") from None
    if dialect == "postgresql" and len({k.descending for k in keys}) == 1:
        row = tuple_(*[c.sort_expr() for c in columns])
        after = tuple_(*[c.compared(p) for c, p in zip(columns, params, strict=True)])
        return row < after if keys[0].descending else row > after
    sorts = [c.sort.replace(":", "\\:") for c in columns]  # a colon in SQL text would start a parameter
    bound = [c.bind_sql(f"after{i}") for i, c in enumerate(columns)]

    def beyond(i: int) -> str:
        return f"{sorts[i]} {'<' if keys[i].descending else '>'} {bound[i]}"

    branches = [" AND ".join([*(f"{sorts[j]} = {bound[j]}" for j in range(i)), beyond(i)]) for i in range(len(keys))]
    lead = f"{sorts[0]} {'<=' if keys[0].descending else '>='} {bound[0]}"
    return text(f"{lead} AND ({' OR '.join(f'({b})' for b in branches)})").bindparams(*params)


def _like(col: SqlColumn, asked: str, dialect: str, anywhere: bool = True) -> ColumnElement[bool]:
    """The search's test: the field holds (`anywhere`) or starts with the text, ASCII letters in either
    case (docs/api.md, `q=`), as LIKE, whose answers the search index's candidates are checked by."""
    escaped = asked.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = bindparam(None, f"%{escaped}%" if anywhere else f"{escaped}%", type_=String())
    if dialect == "postgresql" and col.storage == "text":
        pattern = pattern.collate("C")  # lower() as on the field's side (ASCII letters), as SQLite's
    return func.lower(col.value_expr()).like(func.lower(pattern), escape="\\")


@dataclass(frozen=True)
class Searched:
    """A search worked out: its test on a record, and the search index's candidates (ascending; None: the
    list scans the form)."""

    test: ColumnElement[bool]
    ids: list[int] | None

    def clause(self) -> ColumnElement[bool]:
        return self.test if self.ids is None else records.c.id.in_(self.ids) & self.test


def resolve_search(conn: Connection, ref: FormRef, query: ListQuery, ctx: ValueContext) -> ListQuery:
    """The query with its search turned into a `where` clause: the index is asked once, however many
    selects the query then becomes (one per department of a partitioned list, and its count)."""
    if not (query.search and query.search_in):
        return query
    found = searched(conn, ref, query.search, query.search_in)
    return replace(query, where=[*query.where, found.clause()], search=None)


def search_clause(conn: Connection, ref: FormRef, text: str, keys: Sequence[str]) -> ColumnElement[bool]:
    """`text` in the fields `keys`, as typed or in pinyin, among the search index's candidates when few
    enough (the index keeps deleted records' documents too: the bin searches the same way)."""
    return searched(conn, ref, text, keys).clause()


def searched(conn: Connection, ref: FormRef, text: str, keys: Sequence[str]) -> Searched:
    """`text` in the fields `keys`, as typed or in pinyin (search_clause), not yet one clause."""
    spellings = search_words.spellings(text)  # as typed, half-width, full-width
    for key in keys:
        refuse_encrypted(ref.form.by_key.get(key), "contains")
    likes = [_like(column(ref.form, k, conn.dialect.name), asked, conn.dialect.name)
             for asked in spellings for k in keys]
    spelled = pinyin.clause(keys, text)  # szhr, suzhouhengrui, 苏州hr find 苏州恒瑞
    if spelled is not None:
        likes.append(spelled)
    asked = pinyin_words.asked(text) if spelled is not None else []
    return Searched(or_(*likes), search.narrowed(conn, spellings, asked))


def of_form(ref: FormRef) -> list[ColumnElement[bool]]:
    """`app = 'crm' AND form = 'customer'` with the keys written into the SQL, not bound: a prepared
    statement's generic plan (psycopg prepares a statement run five times; PostgreSQL plans it without
    its parameters' values from the sixth run on) can then still prove the form's partial indexes apply.
    Bound, it could not, and scanned: 3.9 → 56 ms for a list at 110,000 records. Keys are validated
    snake_case; the text is quoted as a literal all the same."""
    return [records.c.app == bindparam("form_app", ref.app_key, String(), literal_execute=True),
            records.c.form == bindparam("form_key", ref.form.key, String(), literal_execute=True)]


def _hint(ref: FormRef, query: ListQuery, keys: list[SortKey], dialect: str) -> str | None:
    """SQLite: the index a list filtered by equalities only and sorted reads, named to the planner
    (`INDEXED BY`) when a declared index holds those fields first and then the sort. Without statistics
    SQLite weighs two indexes that both match the equalities alike, and beside `["status", "-amount"]`
    an index `["status", "qty"]` had it sort 181,000 records for a list by amount (2.7 → 506 ms).
    Not for other filters (a row scope, a search, a range): their own index may be the better one."""
    if dialect != "sqlite" or query.where or query.search or any(c.op != "eq" for c in query.conditions):
        return None
    equal = [c.key for c in query.conditions]
    if len(set(equal)) != len(equal):
        return None
    return indexes.serving_index(ref.app_key, ref.form, equal, tuple((k.key, k.descending) for k in keys), dialect)


def count_index(ref: FormRef, query: ListQuery, dialect: str) -> tuple[str, bool] | None:
    """The index the list's bounded count reads (totals.total): for filters that are equalities only, a
    declared index that leads with their fields. Not for other filters (as _hint)."""
    if query.where or query.search or any(c.op != "eq" for c in query.conditions):
        return None
    equal = [c.key for c in query.conditions]
    if len(set(equal)) != len(equal):
        return None
    return indexes.counting_index(ref.app_key, ref.form, equal, dialect)


def build_select(conn: Connection, ref: FormRef, query: ListQuery, ctx: ValueContext, *,
                 hinted: bool = True) -> tuple[Select[Any], Select[Any] | None, list[SortKey]]:
    """The page query (one row more than the limit), the count query if asked, and the full sort.
    `hinted=False` leaves SQLite to choose the page's index (_hint)."""
    dialect = conn.dialect.name
    keys = list(query.sort) or [SortKey("id", descending=True)]
    if keys[-1].key != "id":
        keys.append(SortKey("id", keys[-1].descending))  # ties broken by id, same direction, in the index
    columns = [column(ref.form, k.key, dialect) for k in keys]
    if not 1 <= query.limit <= MAX_LIMIT:
        raise BadQuery(f"limit 应在 1 到 {MAX_LIMIT} 之间", f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    where = [*of_form(ref), live()]
    where += [condition_clause(ref, c, dialect, ctx) for c in query.conditions]
    where += resolve_search(conn, ref, query, ctx).where
    count = select(func.count()).select_from(records).where(*where) if query.count else None
    if query.cursor:
        where.append(_keyset(columns, keys, decode_cursor(keys, query.cursor), dialect))
    sort_cols = [c.value_expr().label(f"_s{i}") for i, c in enumerate(columns)]  # the cursor's values
    order = [c.sort_expr().desc() if k.descending else c.sort_expr().asc()
             for c, k in zip(columns, keys, strict=True)]
    page = select(*LISTED, *sort_cols).where(*where).order_by(*order).limit(query.limit + 1)
    hint = _hint(ref, query, keys, dialect) if hinted else None
    if hint is not None:
        page = page.with_hint(records, f"INDEXED BY {hint}", "sqlite")
    return page, count, keys


def list_records(conn: Connection, ref: FormRef, query: ListQuery, ctx: ValueContext) -> Page:
    """One page of a form's live records in the asked order, with a cursor for the next page."""
    if query.search and query.search_in:
        found = searched(conn, ref, query.search, query.search_in)
        if found.ids is not None and _by_id(query) is not None:
            return _in_slices(conn, ref, query, found.test, found.ids, ctx)
        query = replace(query, where=[*query.where, found.clause()], search=None)
    page, count, keys = build_select(conn, ref, query, ctx)
    total, exact = _total(conn, ref, query, count)
    try:
        rows = conn.execute(page).all()
    except OperationalError as e:  # the named index cannot serve after all: a 500 would be worse than a slow page
        if "no query solution" not in str(e):
            raise
        rows = conn.execute(build_select(conn, ref, query, ctx, hinted=False)[0]).all()
    return _page(rows, query.limit, keys, total, exact)


def _total(conn: Connection, ref: FormRef, query: ListQuery, count: Select[Any] | None) -> tuple[int | None, bool]:
    if count is None:
        return None, True
    return totals.total(conn, count, query.estimate_above, of_form(ref), count_index(ref, query, conn.dialect.name))


def _page(rows: Sequence[Row[Any]], limit: int, keys: list[SortKey], total: int | None, exact: bool) -> Page:
    """The first `limit` of `rows` (the page query's, one more than the limit when there is a next page)."""
    items = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(keys, [getattr(items[-1], f"_s{i}") for i in range(len(keys))])
    return Page(items, next_cursor, total, exact)


FIRST_SLICE = 1.25
"""A search's first slice of candidates, in pages (rounded up): the index's candidates nearly all match a
pinyin search (measured in docs/benchmarks.md), so a slice a little larger than the page fills it."""
SLICE_GROWTH = 4
"""Each further slice is this many times the one before: a search whose candidates seldom match reads
them all in a few queries (5,000 candidates, a page of 50: at most five)."""


def _by_id(query: ListQuery) -> bool | None:
    """Whether a list is sorted by id alone descending (True, the default) or ascending; None: by other keys."""
    if not query.sort:
        return True
    return query.sort[0].descending if len(query.sort) == 1 and query.sort[0].key == "id" else None


def _in_slices(conn: Connection, ref: FormRef, query: ListQuery, test: ColumnElement[bool], candidates: list[int],
               ctx: ValueContext) -> Page:
    """A search's page in id order, the index's candidates (ascending) tested a slice at a time in that order
    until the page is full. Tested all at once, every candidate was read and tested, then sorted for the
    first page: 400 at the median, 1,300 at the p95 for a name's initials at a million customers. The same
    rows and cursor as one query over all the candidates, and the same total (that query's count)."""
    descending = _by_id(query)
    ids = candidates[::-1] if descending else candidates
    after = decode_cursor([SortKey("id", bool(descending))], query.cursor)[0] if query.cursor else None
    if isinstance(after, int):  # else the keyset in the query refuses the cursor
        ids = [i for i in ids if (i < after if descending else i > after)]
    sliced = replace(query, where=[*query.where, records.c.id.in_(bindparam("slice", expanding=True)) & test],
                     search=None, count=False)
    page, _, keys = build_select(conn, ref, sliced, ctx)
    total, exact = None, True
    if query.count:
        whole = replace(query, where=[*query.where, Searched(test, candidates).clause()], search=None)
        total, exact = _total(conn, ref, whole, build_select(conn, ref, whole, ctx)[1])
    rows: list[Row[Any]] = []
    start, size = 0, math.ceil((query.limit + 1) * FIRST_SLICE)
    while start < len(ids) and len(rows) <= query.limit:
        rows += conn.execute(page, {"slice": ids[start:start + size]}).all()
        start, size = start + size, size * SLICE_GROWTH
    return _page(rows, query.limit, keys, total, exact)
