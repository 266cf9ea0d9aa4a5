"""List plans that do not depend on statistics: PostgreSQL's generic plan of a prepared list statement
still uses the form's partial indexes, and SQLite picks the index that yields the asked order when
several indexes lead with the same field."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from engine.forms.fields.base import ValueContext
from runtime.apps import definitions
from runtime.records import listing
from runtime.records.indexes import index_prefix, wanted_indexes
from tests.factories import shop
from tests.plans import generic_indexes, plan, uses_index_without_sorting

TWO_REGION_INDEXES = [["region", "-amount"], ["region", "qty"]]
"""Declared in this order, the second added last (as the issue's `["status", "qty"]` was)."""


def _shop_with_two_region_indexes(make: Any) -> None:
    customer = shop()["forms"][0]
    customer["fields"].append({"key": "qty", "type": "number", "label": "数量"})
    customer["indexes"] = TWO_REGION_INDEXES
    make.app_def(shop(forms=[customer, shop()["forms"][1]]))
    for i in range(30):
        make.record("customer", {"name": f"客户{i}", "region": ["华东", "华南", "华北"][i % 3], "amount": i * 100,
                                 "qty": i % 7})


def _index_named(make: Any, columns: list[str]) -> str:
    """The name of the composite index `columns` among the ones the customer form declares."""
    with make.app.state.db.read() as conn:
        form = definitions.form_ref(conn, "shop", "customer").form
        dialect = conn.dialect.name
    names = set(wanted_indexes("shop", form.model_copy(update={"indexes": [columns]}), dialect)) \
        - set(wanted_indexes("shop", form.model_copy(update={"indexes": []}), dialect))
    assert len(names) == 1, names
    return names.pop()


CASES = [("-amount", ["region", "-amount"]), ("qty", ["region", "qty"]), ("-qty", ["region", "qty"])]


@pytest.mark.parametrize(("sort", "index"), CASES, ids=[c[0] for c in CASES])
def test_sqlite_takes_the_index_that_yields_the_order_among_indexes_on_one_leading_field(
        make: Any, sort: str, index: list[str]) -> None:
    """`["region", "since"]` beside `["region", "-amount"]`: a list filtered by region and sorted by
    amount walks the amount index; without statistics SQLite took the other one and sorted the region's
    records (2.7 → 506 ms at 181,000 of them)."""
    if make.app.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL: see the generic-plan test below")
    _shop_with_two_region_indexes(make)
    wanted = _index_named(make, index)
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        query = listing.ListQuery([listing.Condition("region", "eq", "华东")], listing.parse_sort(ref, sort, "sqlite"))
        page = listing.build_select(conn, ref, query, ValueContext(datetime.now(UTC)))[0]
        found = plan(conn, page)
        uses_index_without_sorting(found, wanted)
        assert f"INDEXED BY {wanted}" in str(page.compile(conn)), page  # named, whatever the statistics say
        assert len(listing.list_records(conn, ref, query, ValueContext(datetime.now(UTC))).items) == 10


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"


@pytest.mark.parametrize(("sort", "index"), CASES, ids=[c[0] for c in CASES])
def test_postgresql_generic_plan_of_a_prepared_list_still_uses_the_forms_index(
        make: Any, sort: str, index: list[str]) -> None:
    """psycopg prepares a statement run five times, and from its sixth run PostgreSQL may plan it once for
    any parameters (a generic plan). With the form bound as a parameter that plan could not use the
    form's partial indexes and scanned (3.9 → 56 ms at 110,000 records); written into the SQL it can."""
    if make.app.state.db.dialect != "postgresql":
        pytest.skip("SQLite: see the test above")
    _shop_with_two_region_indexes(make)
    wanted = _index_named(make, index)
    with make.app.state.db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        query = listing.ListQuery([listing.Condition("region", "eq", "华东")], listing.parse_sort(ref, sort, "postgresql"))
        ctx = ValueContext(datetime.now(UTC))
        savepoint = conn.begin_nested()
        for name in generic_indexes(conn):  # on 30 rows any index is cheap: leave only the form's to choose from
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for _ in range(8):
            assert len(listing.list_records(conn, ref, query, ctx).items) == 10
        page = listing.build_select(conn, ref, query, ctx)[0].compile(conn, compile_kwargs={"render_postcompile": True})
        prepared = conn.exec_driver_sql("SELECT name, generic_plans + custom_plans FROM pg_prepared_statements "
                                        "WHERE statement LIKE '%%ORDER BY%%'").all()
        assert len(prepared) == 1 and prepared[0][1] >= 3, prepared  # psycopg prepared it, and it ran prepared
        names = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", page.string)))  # psycopg's $1, $2 … in this order
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        arguments = ", ".join(_literal(page.params[n]) for n in names)
        found = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN EXECUTE {prepared[0][0]}({arguments})"))
        savepoint.rollback()
    uses_index_without_sorting(found, wanted)


@pytest.mark.parametrize("other", ["range", "scope"])
def test_sqlite_names_no_index_when_another_condition_may_have_a_better_one(make: Any, other: str) -> None:
    """A range or a row scope may narrow more through an index of its own: the planner chooses then."""
    if make.app.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL gets no index hints")
    _shop_with_two_region_indexes(make)
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        conditions = [listing.Condition("region", "eq", "华东")]
        where = []
        if other == "range":
            conditions.append(listing.Condition("qty", "gt", "2"))
        else:
            where.append(listing.selective(listing.records.c.owner == "admin", "sqlite"))
        query = listing.ListQuery(conditions, listing.parse_sort(ref, "-amount", "sqlite"), where=where)
        page = listing.build_select(conn, ref, query, ValueContext(datetime.now(UTC)))[0]
        assert "INDEXED BY" not in str(page.compile(conn))
        assert listing.list_records(conn, ref, query, ValueContext(datetime.now(UTC))).items


def test_a_list_through_the_api_is_the_same_with_the_index_named(make: Any) -> None:
    _shop_with_two_region_indexes(make)
    r = make.client.get(make.url(), params={"filter[region]": "华东", "sort": "-amount", "limit": 4},
                        headers=make.admin)
    assert r.status_code == 200, r.text
    assert [item["data"]["amount"] for item in r.json()["items"]] == ["2700.00", "2400.00", "2100.00", "1800.00"]


def _analyzed(make: Any) -> int:
    """PostgreSQL: how often the records table was analyzed; SQLite: whether it has statistics at all."""
    with make.app.state.db.read() as conn:
        if conn.dialect.name == "sqlite":
            return int(conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").scalar())
        return int(conn.exec_driver_sql("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'records' "
                                        "AND schemaname = current_schema()").scalar() or 0)


def test_statistics_are_refreshed_after_an_index_build_and_a_large_import(make: Any, monkeypatch: Any) -> None:
    """PostgreSQL analyzes the records once a form's indexes are built and after an import of many rows
    (ANALYZE_AFTER_ROWS; two here); SQLite keeps none (runtime/records/indexes.py says why)."""
    monkeypatch.setattr("runtime.io.imports.ANALYZE_AFTER_ROWS", 2)
    sqlite = make.app.state.db.dialect == "sqlite"
    make.app_def()
    built = _analyzed(make)
    assert built == 0 if sqlite else built >= 1
    content = "客户名称,地区\n甲,华东\n乙,华南\n".encode()
    r = make.client.post(f"{make.url()}/import", headers=make.admin, files={"file": ("a.csv", content, "text/csv")})
    assert r.status_code in (200, 201), r.text
    assert _analyzed(make) == (0 if sqlite else built + 1)


def _shop_with_region_indexed(make: Any) -> None:
    """`region` indexed (an index (region, id)) beside the declared `["region", "-amount"]`."""
    customer = shop()["forms"][0]
    next(f for f in customer["fields"] if f["key"] == "region")["indexed"] = True
    customer["fields"].append({"key": "code", "type": "text", "label": "编码", "indexed": True})
    make.app_def(shop(forms=[customer, shop()["forms"][1]]))
    for i in range(30):
        make.record("customer", {"name": f"客户{i}", "region": ["华东", "华南", "华北"][i % 3], "amount": i * 100,
                                 "code": f"C{i % 2}"})


def _region_index(make: Any) -> str:
    """The name of the indexed region's own index (region, id)."""
    with make.app.state.db.read() as conn:
        form = definitions.form_ref(conn, "shop", "customer").form
        dialect = conn.dialect.name
    fields = [f.model_copy(update={"indexed": False}) if f.key == "region" else f for f in form.fields]
    names = set(wanted_indexes("shop", form, dialect)) - set(wanted_indexes("shop", form.model_copy(
        update={"fields": fields}), dialect))
    assert len(names) == 1, names
    return names.pop()


def _bounded_counts(conn: Any, run: Any) -> list[tuple[str, str]]:
    """(plan, enable_bitmapscan as it was) of each bounded count (`SELECT count(*) FROM (… LIMIT n)`) that
    `run()` executes on `conn`, asked of the database just before it runs, in its transaction."""
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, cursor: Any, statement: str, params: Any, _context: Any, _many: Any) -> None:
        if not (statement.startswith("SELECT count(*)") and "LIMIT" in statement):
            return
        raw = cursor.connection
        if conn.dialect.name == "postgresql":
            found = "\n".join(r[0] for r in raw.execute("EXPLAIN " + statement, params))
            seen.append((found, raw.execute("SHOW enable_bitmapscan").fetchone()[0]))
        else:
            seen.append(("\n".join(str(r[-1]) for r in raw.execute("EXPLAIN QUERY PLAN " + statement, params)), ""))

    event.listen(conn, "before_cursor_execute", before)
    try:
        run()
    finally:
        event.remove(conn, "before_cursor_execute", before)
    return seen


def test_a_bounded_count_reads_the_range_of_the_index_that_holds_its_matches_in_id_order(make: Any) -> None:
    """A list's total counts at most 5,001 records (runtime/records/totals.py). PostgreSQL read them by a
    bitmap scan, which reads the whole index range first (100,000 entries for a tenth of a million
    records: 25–40 ms); with bitmap scans off for that statement it walks the index and stops (3 ms).
    SQLite took the index sorted by amount and visited the records at random (14 ms); it is told the one
    in id order (2.5 ms). Same totals."""
    _shop_with_region_indexed(make)
    wanted = _region_index(make)
    dialect = make.app.state.db.dialect
    with make.app.state.db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        ctx = ValueContext(datetime.now(UTC))
        savepoint = conn.begin_nested()
        for name in generic_indexes(conn):  # on 30 rows any index is cheap: leave only the form's to choose from
            conn.exec_driver_sql(f"DROP INDEX {name}")
        if dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        pages: list[Any] = []
        query = listing.ListQuery([listing.Condition("region", "eq", "华东")], count=True, estimate_above=5)
        seen = _bounded_counts(conn, lambda: pages.append(listing.list_records(conn, ref, query, ctx)))
        after = conn.exec_driver_sql("SHOW enable_bitmapscan").scalar() if dialect == "postgresql" else ""
        savepoint.rollback()
    assert (pages[0].total, pages[0].exact) == (10, False)  # the sample holds every id of 30: right
    assert len(seen) == 1, seen
    found, bitmaps = seen[0]
    if dialect == "postgresql":  # no hints there: any index of the form on region, walked, not bitmapped
        uses_index_without_sorting(found, f"Index Scan using {index_prefix('shop', 'customer')}")
        assert "Bitmap" not in found and (bitmaps, after) == ("off", "on"), (found, bitmaps, after)
    else:
        uses_index_without_sorting(found, f"USING INDEX {wanted} ")


def test_a_bounded_count_names_no_index_for_other_filters_and_totals_stay(make: Any, monkeypatch: Any) -> None:
    """A range or a second condition on one field: the planner chooses, as for the page. Through the API
    the totals are the same whichever index counts, exact up to the bound and estimated beyond."""
    _shop_with_region_indexed(make)
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        dialect = conn.dialect.name
        for conditions in ([listing.Condition("region", "eq", "华东"), listing.Condition("amount", "gt", "100")],
                           [listing.Condition("region", "eq", "华东"), listing.Condition("region", "eq", "华南")]):
            assert listing.count_index(ref, listing.ListQuery(conditions), dialect) is None
        assert listing.count_index(ref, listing.ListQuery([listing.Condition("region", "eq", "华东")]), dialect) \
            == (_region_index(make), True)
        assert listing.count_index(ref, listing.ListQuery([listing.Condition("level", "eq", "A")]), dialect) is None

    def total(**params: Any) -> Any:
        r = make.client.get(make.url(), params={"limit": 1, "count": "true", **params}, headers=make.admin)
        assert r.status_code == 200, r.text
        return r.json()["total"], r.json()["total_exact"]

    assert total(**{"filter[region]": "华东"}) == (10, True)
    assert total(**{"filter[code]": "C1"}) == (15, True)  # a text field's equality: its index or, if not usable, none
    monkeypatch.setattr("runtime.records.totals.EXACT_UP_TO", 5)
    assert total(**{"filter[region]": "华东"}) == (10, False)
    assert total(**{"filter[code]": "C1"}) == (15, False)
    assert total(**{"filter[region]": "华东", "filter[amount][lt]": "900"}) == (3, True)


def test_a_bounded_count_through_an_index_that_cannot_serve_it_still_counts(make: Any, monkeypatch: Any) -> None:
    """Should the named index not hold the filter's expression after all, SQLite refuses the statement
    ("no query solution"); the count runs again without the name, as a list's page does, and is right."""
    _shop_with_region_indexed(make)
    with make.app.state.db.read() as conn:
        form = definitions.form_ref(conn, "shop", "customer").form
        dialect = conn.dialect.name
    # the name's unique index: partial to records with a name, which a count of all others may not read
    unusable = next(name for name, (_ddl, unique) in wanted_indexes("shop", form, dialect).items() if unique == "name")
    monkeypatch.setattr("runtime.records.listing.count_index", lambda *_args: (unusable, True))
    for bound, expected in ((50, (10, True)), (5, (10, False))):
        monkeypatch.setattr("runtime.records.totals.EXACT_UP_TO", bound)
        r = make.client.get(make.url(), params={"limit": 1, "count": "true", "filter[region]": "华东"},
                            headers=make.admin)
        assert r.status_code == 200, r.text
        assert (r.json()["total"], r.json()["total_exact"]) == expected
