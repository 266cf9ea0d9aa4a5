"""DuckDB, the analytics mirror's engine, is the third compile target: over a typed table holding
the same records, it selects exactly what Python selects — or the checker refuses beforehand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import example, given, settings
from sqlalchemy import Connection, create_engine, literal_column, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.elements import ColumnElement

from engine.app_check import parse_app
from engine.expr.evaluate import EvalContext, evaluate, is_true
from engine.expr.scope import form_scope
from engine.expr.to_sql import to_sql
from engine.expr.typecheck import check
from tests.expression_strategies import (
    BLANKS,
    DATES,
    MIXED_ROWS,
    NUMBERS_WITH_SCALE,
    ROWS,
    TEXT_ORDER,
    conditions,
    rows,
)
from tests.factories import shop

SHOP = parse_app(shop())
SCOPE = form_scope(SHOP.form("customer"), SHOP)
CTX = EvalContext(now=datetime(2026, 11, 24, 2, 0, tzinfo=UTC), user="admin")


class TypedColumns:
    """A mirror-like table: one typed column per field."""

    def value(self, key: str, exact: bool = False) -> ColumnElement[Any]:
        return literal_column(f'"{key}"')

    def compare(self, key: str, op: str, value: Any) -> ColumnElement[bool] | None:
        return None


def _fill(conn: Connection, table: list[dict[str, Any]]) -> None:
    conn.execute(text("DELETE FROM customer"))
    for i, row in enumerate(table, start=1):
        conn.execute(text("INSERT INTO customer VALUES (:id, :name, :region, :level, :amount, :note, :since)"),
                     {"id": i, "name": row["name"], "region": row.get("region"), "level": row.get("level"),
                      "amount": Decimal(row["amount"]) if "amount" in row else None, "note": row.get("note"),
                      "since": date.fromisoformat(row["since"]) if "since" in row else None})


@pytest.fixture(scope="module")
def duck() -> Iterator[Connection]:
    engine = create_engine("duckdb:///:memory:")
    with engine.connect() as conn:
        conn.execute(text('CREATE TABLE customer (id INTEGER, "name" VARCHAR, "region" VARCHAR, "level" VARCHAR, '
                          '"amount" DECIMAL(18, 2), "note" VARCHAR, "since" DATE)'))
        _fill(conn, ROWS)
        conn.commit()  # an example's failed query rolls back to here, not past the table
        yield conn
    engine.dispose()


class TooWide(Exception):
    """DuckDB could not hold a value exactly (a product beyond 38 digits): the mirror falls back to the
    primary database for such a widget (runtime/analytics/run.py), so there is nothing to compare."""


def _duck_ids(conn: Connection, expression: str) -> list[int] | None:
    checked = check(expression, SCOPE)
    if not checked.compiles_to("duckdb"):
        return None
    where = to_sql(checked, "duckdb", TypedColumns(), CTX)
    query = select(literal_column("id")).select_from(text("customer")).where(where).order_by(literal_column("id"))
    try:
        return list(conn.execute(query).scalars())
    except DBAPIError as e:  # a failed statement aborts DuckDB's transaction: undo it for the next example
        conn.rollback()
        if isinstance(e.orig, duckdb.OutOfRangeException) and "DECIMAL(38)" in str(e.orig):  # not a narrower type
            raise TooWide(expression) from e
        raise


def _python_ids(expression: str, table: list[dict[str, Any]] = ROWS) -> list[int]:
    checked = check(expression, SCOPE)
    return [i for i, row in enumerate(table, start=1) if is_true(evaluate(checked, row, CTX))]


BIG = [{"name": "大额", "amount": "9999999999999999.99"}, {"name": "负额", "amount": "-9999999999999999.99"}]
"""The largest amounts a money field (DECIMAL(18, 2) in the mirror) holds."""


@settings(max_examples=80, deadline=None)
@given(expression=conditions(), extra=rows())
@example(expression="amount * 100000000.00 > 5", extra=[])  # hypothesis found it: DECIMAL(18, 4) overflowed
@example(expression="amount * 100000000.00 > 5", extra=BIG)
@example(expression="amount * 99999999.99 * 100000000.00 >= 99999999.99", extra=BIG)
@example(expression="amount * amount > 100000000", extra=BIG)
@example(expression="amount * -1 * 0.01 < -1000000", extra=BIG)
@example(expression="amount + 99999999.99 + 100000000.00 > 99999999999999999", extra=BIG)
@example(expression="amount - 100000000.00 - 99999999.99 < -9999999999999999", extra=BIG)
@example(expression="amount / 3 * 3 = amount", extra=BIG)  # division: refused on DuckDB, the primary answers
def test_duckdb_and_python_select_the_same_records(duck: Connection, expression: str,
                                                   extra: list[dict[str, Any]]) -> None:
    table = ROWS + MIXED_ROWS + extra  # every example meets mixed text, scaled decimals, blanks and dates
    _fill(duck, table)
    try:
        found = _duck_ids(duck, expression)
        if found is not None:  # a refusal is said at type-check time: nothing to compare
            assert found == _python_ids(expression, table), expression
    except TooWide:
        pass
    finally:
        _fill(duck, ROWS)


@pytest.mark.parametrize("expression", [
    "amount * 100000000.00 > 5", "amount * 99999999.99 * 100000000.00 >= 99999999.99", "amount * amount > 100000000",
    "amount * 0.0001 * 0.0001 > 0.000001", "ROUND(amount * 1.005, 2) = 100.5"])
def test_duckdb_multiplies_the_largest_amounts_exactly(duck: Connection, expression: str) -> None:
    """DuckDB types DECIMAL(18, 2) × DECIMAL(11, 2) as DECIMAL(18, 4) and overflowed: every product up
    to 38 digits is now computed, and selects what Python selects."""
    table = ROWS + MIXED_ROWS + BIG
    _fill(duck, table)
    try:
        assert _duck_ids(duck, expression) == _python_ids(expression, table)
    finally:
        _fill(duck, ROWS)


def test_a_product_beyond_38_digits_fails_without_poisoning_the_connection(duck: Connection) -> None:
    _fill(duck, ROWS + BIG)
    try:
        with pytest.raises(TooWide):
            _duck_ids(duck, "amount * amount * amount > 0")
        # rolled back to the committed table (ROWS), and the connection answers again
        assert _duck_ids(duck, "amount > 500000") == _python_ids("amount > 500000")
    finally:
        _fill(duck, ROWS)


@pytest.mark.parametrize(("expression", "compiles"), [
    ('amount > 500000 AND region = "华东"', True),
    ("amount * 2 - 0.1 > 1000", True),
    ("amount / 3 > 100", False),  # DuckDB divides decimals as doubles: refused, not approximated
    ("MOD(amount, 7) = 1", False),
    ('ROUND(amount, 0) = 600000 OR STARTSWITH(name, "乙")', True),
    ('LEN(name) = 5 AND UPPER(level) = "A"', True),
], ids=lambda v: v if isinstance(v, str) else None)
def test_duckdb_compiles_what_it_computes_exactly_and_refuses_the_rest(duck: Connection, expression: str,
                                                                       compiles: bool) -> None:
    found = _duck_ids(duck, expression)
    assert (found is not None) == compiles
    if found is not None:
        assert found == _python_ids(expression)


@pytest.mark.parametrize("expression", [*NUMBERS_WITH_SCALE, *BLANKS, *DATES, 'name = "cmpa"', 'note != "A"',
                                        'name IN ["ＡＢＣ", "12"]'])
def test_duckdb_compares_scaled_decimals_blanks_dates_and_equal_text_as_python_does(duck: Connection,
                                                                                     expression: str) -> None:
    table = ROWS + MIXED_ROWS
    _fill(duck, table)
    try:
        found = _duck_ids(duck, expression)
        if found is not None:  # `amount * 3 = 0.3`-like ones compile; a refusal is said at type-check time
            assert found == _python_ids(expression, table)
    finally:
        _fill(duck, ROWS)


@pytest.mark.parametrize("expression", [*TEXT_ORDER, '"华东" > name', "name < note", 'UPPER(name) >= "A"'])
def test_duckdb_refuses_to_order_text_so_reports_answer_from_the_primary_database(expression: str) -> None:
    """DuckDB has no ICU Chinese order like PostgreSQL's: a text ordering is refused by name, never approximated."""
    checked = check(expression, SCOPE)
    assert not checked.compiles_to("duckdb")
    assert any("text order" in why for why in checked.not_in_sql["duckdb"])
    assert checked.compiles_to("sqlite")
