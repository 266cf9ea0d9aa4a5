"""Every function on DuckDB: over the typed table of the DuckDB tests, each function's result per
record must be what Python computes, or the type checker must refuse it for DuckDB by name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Connection, literal_column, select, text

from engine.expr.evaluate import evaluate
from engine.expr.functions import functions
from engine.expr.to_sql import to_sql
from engine.expr.typecheck import check
from tests.expression_strategies import ROWS
from tests.runtime.analytics.test_expressions_duckdb import CTX, SCOPE, TypedColumns, duck  # noqa: F401  (fixture)

# One expression per function over the typed customer table (name, region, level, amount, note, since).
USES: dict[str, str | None] = {
    "IF": 'IF(level = "A", amount, 0)', "IFS": 'IFS(amount > 100000, "大", TRUE, "小")',
    "SWITCH": 'SWITCH(level, "A", 1, "B", 2, 3)', "AND": 'AND(amount > 0, level = "A")',
    "OR": 'OR(region = "华东", ISBLANK(region))', "NOT": "NOT(ISBLANK(note))", "ISBLANK": "ISBLANK(amount)",
    "COALESCE": 'COALESCE(note, region, "无")', "CURRENT_USER": "CURRENT_USER()",
    "ROUND": "ROUND(amount, 0)", "ROUNDUP": "ROUNDUP(amount, -3)", "ROUNDDOWN": "ROUNDDOWN(amount, -3)",
    "ABS": "ABS(0 - amount)", "MOD": "MOD(amount, 7)", "POWER": "POWER(amount, 2)", "INT": "INT(amount)",
    "SUM": "SUM(amount, 1)", "AVERAGE": "AVERAGE(amount, 0)", "MIN": "MIN(amount, 500000)",
    "MAX": "MAX(amount, 500000)", "COUNT": "COUNT(amount, note)", "COUNTIF": None,  # needs a list column: no DuckDB spelling, so always refused
    "CONCAT": 'CONCAT(name, "-", level)', "LEFT": "LEFT(name, 2)", "RIGHT": "RIGHT(name, 2)",
    "MID": "MID(name, 2, 2)", "LEN": "LEN(name)", "UPPER": "UPPER(level)", "LOWER": "LOWER(level)",
    "TRIM": 'TRIM(" " & name & "  x")', "SUBSTITUTE": 'SUBSTITUTE(name, "公司", "")',
    "CONTAINS": 'CONTAINS(name, "有限")', "STARTSWITH": 'STARTSWITH(name, "甲")',
    "TEXT": 'TEXT(amount, "#,##0.00")', "TODAY": "TODAY()", "NOW": "NOW()", "DATE": "DATE(2026, 2, 28)",
    "YEAR": "YEAR(since)", "MONTH": "MONTH(since)", "DAY": "DAY(since)", "WEEKDAY": "WEEKDAY(since)",
    "DATEADD": 'DATEADD(since, 1, "M")', "DATEDIF": 'DATEDIF(since, TODAY(), "D")', "EOMONTH": "EOMONTH(since, 0)",
    "INPERIOD": 'INPERIOD(since, "Y", 0)',
    "CNMONEY": None, "CNDATE": None,  # print templates' text: computed in Python only, so reports refuse them
}


def test_every_function_has_a_duckdb_use() -> None:
    assert sorted(USES) == sorted(functions.keys())


@pytest.mark.parametrize("name", sorted(USES), ids=sorted(USES))
def test_function_gives_the_python_value_on_duckdb_or_is_refused(duck: Connection, name: str) -> None:  # noqa: F811
    expression = USES[name]
    if expression is None:
        assert "duckdb" not in functions.get(name).sql
        return
    checked = check(expression, SCOPE)
    if not checked.compiles_to("duckdb"):
        assert any(name in why for why in checked.not_in_sql["duckdb"]) or "&" in expression, checked.not_in_sql
        return
    compiled = to_sql(checked, "duckdb", TypedColumns(), CTX)
    query = select(literal_column("id"), compiled.label("v")).select_from(text("customer")).order_by(
        literal_column("id"))
    in_sql = {row.id: _normal(row.v) for row in duck.execute(query)}
    in_python = {i: _normal(evaluate(checked, row, CTX)) for i, row in enumerate(ROWS, start=1)}
    assert in_sql == in_python, expression


def _normal(value: Any) -> Any:
    """Compare values, not representations: 12.50 = 12.5, a DuckDB date = an ISO date."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value
