"""Query plans in tests: what the database would do with a list query (EXPLAIN), and whether it walks an
expression index without sorting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from engine.forms.fields.base import ValueContext
from runtime.apps import definitions
from runtime.records import listing


def plan(conn: Connection, statement: Any) -> str:
    compiled = statement.compile(conn, compile_kwargs={"render_postcompile": True})
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show its index choice
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params)
    else:
        params = tuple(compiled.params[k] for k in compiled.positiontup)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params)
    return "\n".join(str(r[-1]) for r in rows)


def generic_indexes(conn: Connection) -> list[str]:
    if conn.dialect.name == "postgresql":
        sql = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'records' "
               "AND indexname LIKE 'ix_records%%'")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'records' AND name LIKE 'ix_records%'"
    return [name for (name,) in conn.exec_driver_sql(sql)]


def list_plan(make: Any, app: str, form: str, **query: Any) -> str:
    """The plan of a list query on `form`, with the generic (app, form, …) indexes dropped for it: on a few
    rows any index is cheap, and without them to fall back on the planner shows whether the expression
    indexes match the query's expressions."""
    with make.app.state.db.write() as conn:
        ref = definitions.form_ref(conn, app, form)
        page, _count, _keys = listing.build_select(conn, ref, listing.ListQuery(**query), ValueContext(datetime.now(UTC)))
        savepoint = conn.begin_nested()
        for name in generic_indexes(conn):
            conn.exec_driver_sql(f"DROP INDEX {name}")
        found = plan(conn, page)
        savepoint.rollback()
        return found


def uses_index_without_sorting(plan: str, prefix: str) -> None:
    assert prefix in plan, plan
    sorts = [line for line in plan.splitlines() if "TEMP B-TREE" in line or line.strip(" ->").startswith(("Sort", "Incremental Sort"))]
    assert not sorts, plan
