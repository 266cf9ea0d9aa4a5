"""A report the mirror cannot compute exactly is answered by the primary database, never a 500.

DuckDB types decimal products narrowly (DECIMAL(18, 2) × DECIMAL(11, 2) as DECIMAL(18, 4)) and fails
where Python's and the databases' numbers go on; a failed DuckDB statement also aborts its
transaction. Products now widen to DECIMAL(38, s) (engine/expr/to_sql.py), and what still does not
fit — more than 38 digits — falls back to the primary database (runtime/analytics/run.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Maker, shop

LARGEST = "9999999999999999.99"  # the largest amount a money field holds: DECIMAL(18, 2) in the mirror


def _widget(expr: str) -> dict[str, Any]:
    return {"type": "bar", "form": "customer", "dimensions": [{"field": "region"}],
            "measures": [{"key": "m", "expr": expr, "label": "大数"}]}


@pytest.fixture
def big(make: Maker, app: Any) -> Maker:
    app.state.settings = app.state.settings.model_copy(update={"mirror": "always"})
    make.app_def(shop())
    for name, region, amount in [("甲", "华东", LARGEST), ("乙", "华东", "123.45"), ("丙", "华南", LARGEST)]:
        make.record("customer", {"name": name, "region": region, "amount": amount})
    return make


def _query(client: TestClient, make: Maker, body: dict[str, Any], engine: str = "") -> Any:
    return client.post(f"/api/v1/apps/shop/query{'?engine=' + engine if engine else ''}", json=body, headers=make.admin)


def _answer(client: TestClient, make: Maker, body: dict[str, Any], engine: str = "") -> dict[str, Any]:
    r = _query(client, make, body, engine)
    assert r.status_code == 200, r.text
    widget: dict[str, Any] = r.json()["widgets"][0]
    return widget


def test_a_product_of_large_amounts_is_computed_on_the_mirror_as_on_the_primary(client: TestClient, big: Maker) -> None:
    body = _widget("SUM(amount * 100000000.00)")  # overflowed DuckDB's DECIMAL(18, 4): a 500 before
    primary = _answer(client, big, body, "primary")
    mirrored = _answer(client, big, body)
    assert mirrored["engine"] == "mirror"
    assert mirrored["rows"] == primary["rows"]


def test_a_value_beyond_the_mirror_falls_back_to_the_primary_and_the_mirror_still_answers(
        client: TestClient, big: Maker) -> None:
    body = _widget("SUM(amount * amount * amount)")  # 54 digits: no DuckDB decimal holds it
    primary = _answer(client, big, body, "primary")
    fallen_back = _answer(client, big, body)
    assert fallen_back["engine"] == "primary"
    assert fallen_back["rows"] == primary["rows"]
    r = _query(client, big, body, "mirror")  # forced onto the mirror: said, as for any widget it cannot run
    assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_query"
    after = _answer(client, big, _widget("SUM(amount)"))  # the mirror's connection was not left aborted
    assert after["engine"] == "mirror"
    assert after["rows"] == _answer(client, big, _widget("SUM(amount)"), "primary")["rows"]
