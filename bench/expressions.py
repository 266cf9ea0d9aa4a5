"""The expression language: parse + type-check time, Python evaluation per record, a filter run in
SQL against the same filter evaluated in Python over fetched rows, and the cost of recomputing a
rollup when one of 10,000 children changes."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from bench import records as setup
from bench.timing import timed
from engine.expr.evaluate import EvalContext, evaluate, is_true
from engine.expr.parser import forget_parsed
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from runtime.apps import definitions
from runtime.db.tables import records as table
from runtime.records import records
from runtime.records.context import Actor, Change
from runtime.records.expressions import filter_clause

EXPRESSIONS = [
    'annual_revenue > 5000000 AND region = "华东"',
    'IF(level = "A", 7, 30)',
    'DATEDIF(last_followup_at, TODAY(), "D") > 3',
    'LEFT(name, 2) & "-" & level',
    'level IN ["A", "B"] AND NOT ISBLANK(phone) AND CONTAINS(name, "科技")',
]
FILTER = 'annual_revenue > 5000000 AND region = "华东" AND CONTAINS(name, "科技")'


def _micro(fn: Any, repeat: int = 2000) -> float:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples)


def run(backend: str, size: int) -> dict[str, Any]:
    db = setup.prepare(setup.database_url(backend))
    setup.bulk_storage(db, size)
    out: dict[str, Any] = {"backend": backend, "size": size, "database": db.describe()}
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
        scope = form_scope(ref.form, ref.app)
        ctx = EvalContext(datetime.now(UTC))

        def parse_and_check() -> None:
            forget_parsed()
            for text in EXPRESSIONS:
                check(text, scope)

        out["check_us"] = _micro(parse_and_check, 200) / len(EXPRESSIONS)
        sample = conn.execute(select(table.c.data).where(table.c.form == "customer").limit(1)).scalar_one()
        checked = [check(t, scope) for t in EXPRESSIONS]
        out["eval_us"] = _micro(lambda: [evaluate(c, sample, ctx) for c in checked], 2000) / len(EXPRESSIONS)
        where = filter_clause(ref, FILTER, conn.dialect.name, ctx)
        in_sql = select(func.count()).select_from(table).where(
            table.c.app == "crm", table.c.form == "customer", table.c.deleted_at.is_(None), where)
        out["filter_sql_ms"] = timed(lambda: conn.scalar(in_sql), 5, warmup=1)["p50"]
        condition = check(FILTER, scope)
        all_rows = select(table.c.data).where(table.c.app == "crm", table.c.form == "customer",
                                              table.c.deleted_at.is_(None))

        def in_python() -> int:
            return sum(1 for (data,) in conn.execute(all_rows) if is_true(evaluate(condition, data, ctx)))

        out["filter_python_ms"] = timed(in_python, 3, warmup=1)["p50"]
        out["matches"] = conn.scalar(in_sql)
        assert out["matches"] == in_python()
    out["rollup_ms"] = _rollup_cost(db)
    db.engine.dispose()
    return out


def _rollup_cost(db: Any, children: int = 10_000) -> float:
    """Change one contract's amount under a customer with `children` contracts: the update, the
    rollup over all of them and the customer's rewrite, in one transaction."""
    change = Change(Actor("admin"))
    with db.write() as conn:
        customer = definitions.form_ref(conn, "crm", "customer")
        contract = definitions.form_ref(conn, "crm", "contract")
        parent = records.create(conn, customer, {"name": "十万合同测试有限公司"}, change).id
        made = records.create_many(conn, contract, [{"title": f"合同{i}", "customer": parent, "amount": "1000.00"}
                                                    for i in range(children)], change)
    target = made[0].id
    amounts = iter(range(2000, 100000))

    def one_change() -> None:
        with db.write() as conn:
            records.update_record(conn, contract, target, {"amount": str(next(amounts))}, change)

    result = timed(one_change, 20, warmup=2)["p50"]
    with db.read() as conn:
        total = records.get(conn, customer, parent).data["total_contract_amount"]
    assert total != "10000000", total  # the rollup moved
    return result


def table_md(results: list[dict[str, Any]]) -> str:
    lines = ["| database | customers | parse + check µs/expr | eval µs/expr | filter in SQL ms | same filter in Python ms "
             "| Python/SQL | rollup update ms (10,000 children) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['database']} | {r['size']:,} | {r['check_us']:.0f} | {r['eval_us']:.1f} "
                     f"| {r['filter_sql_ms']:.1f} | {r['filter_python_ms']:.0f} "
                     f"| {r['filter_python_ms'] / r['filter_sql_ms']:.0f}× | {r['rollup_ms']:.1f} |")
    return "\n".join(lines)
