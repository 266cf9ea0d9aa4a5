"""Relative periods in the expression language (INPERIOD: 本月, 上季度, 本年 …) select the same records on
the primary database, on the mirror and in Python: dates by their day, datetimes by their local day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from engine.app_check import parse_app
from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.functions.dates import period_range
from engine.expr.scope import form_scope
from engine.expr.typecheck import check
from tests.factories import Maker, shop

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("unit", "offset", "start", "end"),
    [
        ("Q", 0, date(2026, 10, 1), date(2027, 1, 1)),
        ("Q", -1, date(2026, 7, 1), date(2026, 10, 1)),
        ("Q", -4, date(2025, 10, 1), date(2026, 1, 1)),
        ("M", 1, date(2026, 12, 1), date(2027, 1, 1)),
        ("M", -11, date(2025, 12, 1), date(2026, 1, 1)),
        ("Y", -1, date(2025, 1, 1), date(2026, 1, 1)),
        ("W", 0, date(2026, 11, 23), date(2026, 11, 30)),  # ISO weeks start on Monday
        ("D", -1, date(2026, 11, 23), date(2026, 11, 24)),
    ],
)
def test_a_period_is_counted_from_today(unit: str, offset: int, start: date, end: date) -> None:
    assert period_range(date(2026, 11, 24), unit, offset) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        'INPERIOD(since, "H", 0)',
        'INPERIOD(since, "Q", 0.5)',
        'INPERIOD(name, "Q", 0)',
        "INPERIOD(since, region, 0)",
        'INPERIOD(since, "Q", amount)',
    ],
)
def test_bad_periods_are_refused_when_checked(text: str) -> None:
    app = parse_app(shop())
    with pytest.raises(Exception, match="INPERIOD"):
        check(text, form_scope(app.form("customer"), app))


@pytest.fixture
def dated(make: Maker, app: Any) -> Maker:
    make.app_def(shop())
    for name, since, created in (
        ("本季", "2026-10-01", datetime(2026, 9, 30, 16, 30, tzinfo=UTC)),  # 10-01 00:30 上海
        ("上季末", "2026-09-30", datetime(2026, 9, 30, 15, 30, tzinfo=UTC)),  # 09-30 23:30
        ("上季初", "2026-07-01", datetime(2026, 7, 1, 1, 0, tzinfo=UTC)),
        ("去年", "2025-11-01", datetime(2025, 11, 1, 1, 0, tzinfo=UTC)),
        ("空", None, datetime(2026, 1, 1, 1, 0, tzinfo=UTC)),
    ):
        app.state.clock = lambda moment=created: moment
        make.record("customer", {"name": name} | ({"since": since} if since else {}))
    app.state.clock = lambda: NOW
    return make


@pytest.mark.parametrize("engine", ["primary", "mirror"])
@pytest.mark.parametrize(
    ("condition", "names"),
    [
        ('INPERIOD(since, "Q", 0)', ["本季"]),
        ('INPERIOD(since, "Q", -1)', ["上季初", "上季末"]),
        ('NOT INPERIOD(since, "Y", 0)', ["去年"]),
        ('INPERIOD(created_at, "Q", 0)', ["本季"]),
        ('INPERIOD(created_at, "Q", -1)', ["上季初", "上季末"]),
        ('INPERIOD(since, "M", -12)', ["去年"]),
    ],
)
def test_the_databases_select_what_python_selects(
    client: TestClient, dated: Maker, engine: str, condition: str, names: list[str]
) -> None:
    body = {
        "type": "table",
        "form": "customer",
        "dimensions": [{"field": "name"}],
        "measures": [{"agg": "count"}],
        "filter": condition,
    }
    r = client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=dated.admin)
    assert r.status_code == 200, r.text
    assert sorted(row[0] for row in r.json()["widgets"][0]["rows"]) == sorted(names)
    app = parse_app(shop())
    checked = check(condition, form_scope(app.form("customer"), app))
    listed = client.get("/api/v1/apps/shop/forms/customer/records", params={"limit": 50}, headers=dated.admin)
    ctx = EvalContext(NOW, user="admin")
    kept = [
        i["data"]["name"]
        for i in listed.json()["items"]
        if evaluate(
            checked,
            i["data"]
            | {"created_at": datetime.fromisoformat(i["created_at"].replace("Z", "+00:00")).astimezone(ctx.timezone)},
            ctx,
        )
        is True
    ]
    assert sorted(kept) == sorted(names)
