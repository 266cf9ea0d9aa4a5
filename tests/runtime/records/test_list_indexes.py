"""The list query Tangram generates is served by the expression indexes it creates (EXPLAIN proves it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.expr.evaluate import EvalContext
from engine.forms.fields.base import ValueContext
from engine.permissions.rights import RowScope, ScopeTerm
from runtime.apps import definitions
from runtime.permissions.scope import scope_clause
from runtime.records import listing
from runtime.records.derived import pointing_at
from runtime.records.indexes import existing_indexes, index_prefix
from tests.factories import shop
from tests.plans import list_plan, uses_index_without_sorting
from tests.plans import plan as plan_of


def _query(make: Any, **kwargs: Any) -> tuple[str, str]:
    make.app_def()
    for i in range(20):
        make.record("customer", {"name": f"客户{i}", "region": "华东" if i % 2 else "华南", "amount": i * 100})
    return list_plan(make, "shop", "customer", **kwargs), index_prefix("shop", "customer")


@pytest.mark.parametrize("deep", [False, True], ids=["first-page", "deep-cursor"])
def test_filter_plus_money_sort_uses_the_composite_index(make: Any, deep: bool) -> None:
    cursor = listing.encode_cursor([listing.SortKey("amount", True), listing.SortKey("id", True)], [500.0, 10]) if deep else None
    plan, prefix = _query(make, conditions=[listing.Condition("region", "eq", "华东")],
                          sort=[listing.SortKey("amount", descending=True)], limit=50, cursor=cursor)
    uses_index_without_sorting(plan, prefix)
    if deep and make.app.state.db.dialect == "postgresql":  # the cursor is part of the index range, not a filter
        filters = [line for line in plan.splitlines() if "Filter:" in line]
        assert "ROW(" in plan and all("ROW(" not in line for line in filters), plan  # (version > 0 may filter)


def test_unique_field_lookup_uses_the_unique_index(make: Any) -> None:
    plan, prefix = _query(make, conditions=[listing.Condition("name", "eq", "客户3")], limit=50)
    assert prefix in plan, plan


def test_indexes_follow_definition_upgrades(make: Any) -> None:
    make.app_def()
    with make.app.state.db.read() as conn:
        before = existing_indexes(conn, "shop", "customer")
    definition = make.client.get("/api/v1/apps/shop", headers=make.admin).json()["definition"]
    definition["forms"][0]["indexes"] = []
    definition["forms"][0]["fields"][4]["indexed"] = True
    r = make.client.put("/api/v1/apps/shop", json=definition, headers=make.admin)
    assert r.status_code == 200, r.text
    with make.app.state.db.read() as conn:
        after = existing_indexes(conn, "shop", "customer")
    assert len(before) == 3 and len(after) == 3  # unique name + its lookup, composite → note
    assert len(before & after) == 2


def test_rollup_and_lookup_refreshes_seek_children_through_the_relation_index(make: Any) -> None:
    definition = shop()
    definition["forms"][1]["fields"].append({"key": "maker", "type": "relation", "label": "客户", "target": "customer"})
    make.app_def(definition)
    maker = make.record("customer", {"name": "甲"})
    for i in range(20):
        make.record("product", {"title": f"产品{i}", "maker": maker["id"] if i % 2 else None})
    with make.app.state.db.write() as conn:
        form = definitions.form_ref(conn, "shop", "product").form
        savepoint = conn.begin_nested()
        for generic in ("ix_records_form_id", "ix_records_owner", "ix_records_department"):
            conn.exec_driver_sql(f"DROP INDEX {generic}")
        plan = plan_of(conn, pointing_at(conn, "shop", form, "maker", {maker["id"]}))
        savepoint.rollback()
        seek = [line for line in plan.splitlines() if "SEARCH" in line or "Index Cond" in line]
        assert index_prefix("shop", "product") in plan and any("maker" in line or "tg_" in line for line in seek), plan
        assert len(conn.execute(pointing_at(conn, "shop", form, "maker", {maker["id"]})).all()) == 10


@pytest.mark.parametrize("deep", [False, True], ids=["first-page", "deep-cursor"])
def test_a_sort_in_chinese_order_walks_the_text_fields_index(make: Any, deep: bool) -> None:
    keys = [listing.SortKey("name"), listing.SortKey("id")]
    cursor = listing.encode_cursor(keys, ["客户3", 4]) if deep else None
    plan, prefix = _query(make, sort=[listing.SortKey("name")], limit=50, cursor=cursor)
    uses_index_without_sorting(plan, prefix)


def _sqlite_plan_without_statistics(make: Any, sort: str, conditions: list[listing.Condition] | None = None) -> str:
    """The plan SQLite makes with every index in place, the generic (app, form, …) ones included,
    and no statistics: as a Tangram database is in use (Tangram never runs ANALYZE)."""
    with make.app.state.db.write() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'").scalar() == 0
        ref = definitions.form_ref(conn, "shop", "customer")
        query = listing.ListQuery(conditions=conditions or [], sort=listing.parse_sort(ref, sort, "sqlite"))
        return plan_of(conn, listing.build_select(conn, ref, query, ValueContext(datetime.now(UTC)))[0])


@pytest.mark.parametrize("sort", ["name", "-name", "since"])
def test_sqlite_without_statistics_walks_the_sort_fields_index(make: Any, sort: str) -> None:
    """A list sorted by an indexed field, nothing filtered: the first page is read off that field's
    index, not the whole form sorted (0.1–0.4 s at 150,000 customers against 1–2 ms)."""
    if make.app.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL plans from the statistics it keeps itself")
    definition = shop()
    definition["forms"][0]["fields"][5]["indexed"] = True
    make.app_def(definition)
    for i in range(20):
        make.record("customer", {"name": f"客户{i}", "region": "华东", "since": f"2026-01-{i + 1:02d}"})
    uses_index_without_sorting(_sqlite_plan_without_statistics(make, sort), index_prefix("shop", "customer"))


def test_sqlite_without_statistics_sorts_an_unindexed_field_in_id_order(make: Any) -> None:
    """A sort no index serves reads the form through the generic index, in the table's own order,
    not through some field's index (2.5 times slower at 150,000 customers); a filter on an indexed
    field still narrows through that field's index."""
    if make.app.state.db.dialect != "sqlite":
        pytest.skip("PostgreSQL plans from the statistics it keeps itself")
    make.app_def()
    for i in range(20):
        make.record("customer", {"name": f"客户{i}", "region": "华东", "note": f"备注{i}"})
    plan = _sqlite_plan_without_statistics(make, "note")
    assert "ix_records_form_id" in plan and "TEMP B-TREE" in plan, plan
    filtered = _sqlite_plan_without_statistics(make, "-amount", [listing.Condition("region", "eq", "华东")])
    uses_index_without_sorting(filtered, index_prefix("shop", "customer"))


@pytest.mark.parametrize("kept_by", ["owner", "department"])
def test_a_row_scope_is_marked_selective_for_sqlite_only(make: Any, kept_by: str) -> None:
    """SQLite gets a row scope marked `unlikely`, so that on a large form a rep's list sorted by
    name reads the rep's records through ix_records_owner and sorts them instead of walking every
    name of the form for the rep's few: at 150,000 customers 1.2 ms against 343 ms for 50 of them
    (docs/benchmarks-history.md, "Records: SQLite plans without statistics"; the planner weighs this only on large tables, so the plan itself is measured
    there, not here). PostgreSQL plans from its statistics and gets the plain clause."""
    make.app_def()
    term = ScopeTerm(owners=frozenset({"rep"})) if kept_by == "owner" else ScopeTerm(departments=frozenset({"sales"}))
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        dialect = conn.dialect.name
        sql = str(scope_clause(RowScope(terms=(term,)), ref, dialect, EvalContext(datetime.now(UTC))).compile(conn))
    marked = sql.startswith(f"unlikely(records.{kept_by} IN")
    assert marked == (dialect == "sqlite") and f"records.{kept_by} IN" in sql, sql
