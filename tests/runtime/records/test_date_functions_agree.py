"""The date functions a condition is written with — DATE(y, m, d), TODAY(), DATEDIF(…, "D"), YEAR/MONTH/DAY — mean
the same in the database as in Python, on SQLite and PostgreSQL: a list filtered in SQL keeps exactly the records
Python's evaluation keeps, over month ends, leap days, year boundaries and days the calendar lacks (blank)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.expr.evaluate import EvalContext, evaluate, is_true
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from runtime.apps import definitions
from tests.factories import Maker

NOW = datetime(2024, 12, 31, 16, 30, tzinfo=UTC)  # already 1 January 2025 in Shanghai: TODAY() is the local day

CALENDAR = {
    "format": "tangram/app@1", "key": "cal", "name": "日历", "version": "1.0.0",
    "forms": [{"key": "day", "name": "日子", "title_field": "title", "fields": [
        {"key": "title", "type": "text", "label": "标题"},
        {"key": "y", "type": "number", "label": "年"},
        {"key": "m", "type": "number", "label": "月"},
        {"key": "d", "type": "number", "label": "日"},
        {"key": "on", "type": "date", "label": "日期"},
        {"key": "at", "type": "datetime", "label": "时刻"},
    ]}],
}  # fmt: skip

ROWS = [  # leap days (real and not), month ends, year boundaries, parts out of range or not whole
    {"y": 2024, "m": 2, "d": 29, "on": "2024-02-29", "at": "2024-02-28T16:00:00Z"},
    {"y": 2025, "m": 2, "d": 29, "on": "2025-02-28", "at": "2025-02-28T15:59:59Z"},
    {"y": 1900, "m": 2, "d": 29, "on": "1900-02-28"},
    {"y": 2000, "m": 2, "d": 29, "on": "2000-02-29", "at": "2000-02-29T00:00:00Z"},
    {"y": 2024, "m": 12, "d": 31, "on": "2024-12-31", "at": "2024-12-31T16:00:00Z"},
    {"y": 2025, "m": 1, "d": 1, "on": "2025-01-01", "at": "2024-12-31T15:59:59Z"},
    {"y": 2026, "m": 4, "d": 31, "on": "2026-04-30"},
    {"y": 2026, "m": 13, "d": 1, "on": "2026-12-31"},
    {"y": 2026, "m": 0, "d": 10},
    {"y": 2026, "m": 6, "d": 0, "on": "2026-05-31"},
    {"y": 2026.9, "m": 6.5, "d": 30.99, "on": "2026-06-30"},
    {"y": 9999, "m": 12, "d": 31, "on": "9999-12-31"},
    {"y": 10000, "m": 1, "d": 1},
    {"y": 0, "m": 1, "d": 1, "on": "0001-01-01"},
    {"y": -1, "m": -1, "d": -1},
    {"y": 2025, "m": 1},
    {"on": "2025-01-01", "at": "2025-01-01T00:00:00Z"},
]

EXPLICIT = [
    "ISBLANK(DATE(y, m, d))",
    "DATE(y, m, d) = on",
    "DATE(y, m, d) < on",
    "DATE(y, m, d) >= on",
    "DATE(y, m, d) IN [DATE(2024, 2, 29), DATE(2025, 1, 1)]",
    'DATEDIF(on, DATE(y, m, d), "D") = 0',
    'DATEDIF(on, DATE(y, m, d), "D") > 0',
    'DATEDIF(at, DATE(y, m, d), "D") = 0',  # a datetime counts by its day in the app's time zone
    'DATEDIF(DATE(y, m, d), TODAY(), "D") < 0',
    "YEAR(DATE(y, m, d)) = y",
    "MONTH(DATE(y, m, d)) = 2 AND DAY(DATE(y, m, d)) = 29",
    "DATE(YEAR(on), MONTH(on), DAY(on)) = on",
    "ISBLANK(DATE(YEAR(on), MONTH(on) + 1, 1))",  # December has no month after it in its year
    "DATE(YEAR(on) + 1, 2, 29) > on",
    "on < DATE(2025, 1, 1)",
    "on = DATE(2024, 2, 29)",
    "on >= DATE(2025, 2, 29)",  # a constant day the calendar lacks: blank, never an error
    "ISBLANK(DATE(2025, 2, 29))",
    "ISBLANK(DATE(10000, 1, 1)) AND NOT ISBLANK(DATE(9999, 12, 31))",
    'DATEDIF(on, TODAY(), "D") > 0',
    'DATEDIF(TODAY(), on, "D") >= 0',
    'DATEDIF(at, TODAY(), "D") = 0',
    "(YEAR(on) = YEAR(TODAY()) AND MONTH(on) = MONTH(TODAY()))",
    "on = TODAY()",
    "YEAR(at) = 2025",  # a datetime's parts are those of its day in the app's time zone, as for DATEDIF
    "MONTH(at) = 2 AND DAY(at) = 29",
    "(YEAR(at) = YEAR(TODAY()) AND MONTH(at) = MONTH(TODAY()))",  # 本月 on a datetime field
    "y = d",  # two blanks are equal in Python: SQL's plain `=` would drop them
    "DATE(y, m, d) IN [on, DATE(2024, 2, 29)]",
]


def _stored(make: Maker) -> dict[int, dict[str, Any]]:
    r = make.client.get(make.url("day", "cal"), params={"limit": 500}, headers=make.admin)
    assert r.status_code == 200, r.text
    return {i["id"]: i["data"] for i in r.json()["items"]}


def _disagreements(make: Maker, expressions: list[str]) -> list[tuple[str, Any]]:
    """The expressions whose SQL filter keeps other records than Python's evaluation does (or fails)."""
    with make.app.state.db.read() as conn:
        ref = definitions.form_ref(conn, "cal", "day")
        dialect = conn.dialect.name
    stored = _stored(make)
    ctx = EvalContext(now=NOW, user="admin")
    found = []
    for expression in expressions:
        checked = check(expression, form_scope(ref.form, ref.app))
        assert checked.compiles_to(dialect), (expression, checked.not_in_sql)
        in_python = sorted(i for i, data in stored.items() if is_true(evaluate(checked, data, ctx)))
        r = make.client.get(make.url("day", "cal"), params={"filter": expression, "limit": 500}, headers=make.admin)
        if r.status_code != 200:
            found.append((expression, r.text))
        elif (in_sql := sorted(i["id"] for i in r.json()["items"])) != in_python:
            found.append((expression, [stored[i] for i in sorted(set(in_sql) ^ set(in_python))]))
    return found


def _seed(make: Maker, rows: list[dict[str, Any]]) -> None:
    make.app.state.clock = lambda: NOW
    if not make.client.get("/api/v1/apps", headers=make.admin).json()["items"]:
        make.app_def(CALENDAR)
    for n, row in enumerate(rows):
        make.record("day", {"title": f"第{n}天", **row}, app="cal")


def test_date_functions_select_the_same_records_in_sql_and_python(make: Maker) -> None:
    _seed(make, ROWS)
    assert _disagreements(make, EXPLICIT) == []


PART = st.one_of(st.integers(-2, 14), st.integers(1, 31), st.integers(1, 9999),
                 st.decimals(min_value=-3, max_value=10001, places=1, allow_nan=False, allow_infinity=False))  # fmt: skip
DAYS = st.one_of(st.sampled_from([date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1), date(2025, 2, 28)]),
                 st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))  # fmt: skip


@st.composite
def _rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        row: dict[str, Any] = {k: str(draw(PART)) for k in "ymd" if draw(st.booleans()) or k != "d"}
        if draw(st.booleans()):
            row["on"] = draw(DAYS).isoformat()
        rows.append(row)
    return rows


@st.composite
def _conditions(draw: st.DrawFn) -> str:
    y, m, d = (draw(st.integers(-1, 10000)), draw(st.integers(0, 13)), draw(st.integers(0, 32)))
    fixed = f"DATE({y}, {m}, {d})"
    return draw(st.sampled_from([
        f"on < {fixed}", f"on = {fixed}", f"DATE(y, m, d) >= {fixed}", f"ISBLANK({fixed})",
        f'DATEDIF(on, {fixed}, "D") > {draw(st.integers(-400, 400))}',
        f'DATEDIF(DATE(y, m, d), on, "D") <= {draw(st.integers(-40, 40))}',
        f"DAY(DATE(y, m, {d})) = {d}", f"MONTH(DATE(y, {m}, 1)) = {m}",
    ]))  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows(), expressions=st.lists(_conditions(), min_size=1, max_size=4))
def test_random_days_and_conditions_agree_in_sql_and_python(
    make: Maker, rows: list[dict[str, Any]], expressions: list[str]
) -> None:
    _seed(make, rows)  # the records of earlier examples stay: every example meets them all
    assert _disagreements(make, expressions) == []
