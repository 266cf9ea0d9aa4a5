"""The 库存看板 and 项目工作量 dashboards on the templates' demo data (installed with `demo: true` beside the
CRM's own demo data), on the primary database and the mirror: every widget has figures, and they equal
sums computed independently from the records the records API lists."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runtime.cli import CRM_TEMPLATE
from runtime.demo.load import DEMO_USERS, load_demo
from tests.factories import Maker

NOW = datetime(2026, 12, 3, 4, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
TODAY = NOW.astimezone(ZONE).date()


@pytest.fixture
def crm(make: Maker, app: Any) -> Maker:
    app.state.clock = lambda: NOW
    make.app_def(json.loads(CRM_TEMPLATE.read_text("utf-8")))
    load_demo(app.state.db, "crm", 10, seed=3, now=NOW, progress=False)  # the CRM's products first: shared by SKU
    for key in ("inventory", "projects"):
        r = make.client.post(f"/api/v1/templates/{key}/install", json={"demo": True}, headers=make.admin)
        assert r.status_code == 201, r.text
        assert r.json()["demo"], r.text
    return make



def _report(make: Maker, key: str, engine: str) -> dict[str, dict[str, Any]]:
    r = make.client.get(f"/api/v1/apps/crm/reports/{key}", params={"engine": engine}, headers=make.admin)
    assert r.status_code == 200, r.text
    return {w["key"]: w for w in json.loads(r.text, parse_float=Decimal)["widgets"]}


@pytest.fixture
def widgets(crm: Maker) -> Iterator[tuple[Maker, dict[str, dict[str, Any]]]]:
    found = {}
    for report in ("inventory", "workload"):
        primary, mirror = _report(crm, report, "primary"), _report(crm, report, "mirror")
        for key, w in primary.items():
            assert "error" not in w, (key, w.get("error"))
            assert w["rows"], key
            assert {**w, "engine": "mirror"} == mirror[key], key
            found[f"{report}.{key}"] = w
    yield crm, found


def _n(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _title(value: Any) -> Any:
    return value["title"] if isinstance(value, dict) else value


def _by(widget: dict[str, Any], dims: int = 1, measure: int = 0) -> dict[Any, Decimal]:
    return {tuple(_title(v) for v in row[:dims]) if dims > 1 else _title(row[0]): _n(row[dims + measure])
            for row in widget["rows"]}


def test_the_inventory_dashboard_equals_sums_of_the_stock_moves(widgets: tuple[Maker, dict[str, Any]]) -> None:
    make, w = widgets
    moves = make.every_record("stock_move", "crm")
    assert len(moves) > 30
    stock: dict[Any, Decimal] = defaultdict(Decimal)
    per_warehouse: dict[Any, Decimal] = defaultdict(Decimal)
    monthly: dict[Any, Decimal] = defaultdict(Decimal)
    for m in moves:
        d = m["data"]
        signed = _n(d["qty"]) if d["kind"] == "入库" else -_n(d["qty"])
        stock[d["product"]["title"]] += signed
        per_warehouse[(d["product"]["title"], d["warehouse"]["title"])] += signed
        monthly[(d["moved_on"][:7], d["kind"])] += _n(d["qty"])
    assert _by(w["inventory.stock_by_product"]) == stock
    assert _by(w["inventory.stock_by_warehouse"], 2) == {k: v for k, v in per_warehouse.items()}
    assert {(str(k[0])[:7], k[1]): v for k, v in _by(w["inventory.monthly_moves"], 2).items()} == monthly
    assert len({k[0] for k in monthly}) >= 6  # half a year of movements up to now
    products = {p["data"]["name"]: p["data"] for p in make.every_record("product", "crm")}
    for name, total in stock.items():
        assert _n(products[name]["stock_qty"]) == total  # the running-stock rollup agrees with the moves
    low = {n for n, p in products.items() if p.get("reorder_level") not in (None, "") and _n(p.get("stock_qty")) < _n(p["reorder_level"])}
    assert low and set(_by(w["inventory.low_stock"])) == low
    shared = [p for p in make.every_record("product", "crm") if p["data"]["sku"] == "TG-HW-SCN"]
    assert len(shared) == 1 and _n(shared[0]["data"]["reorder_level"]) == 20  # the CRM's product, not a copy
    orders = [o["data"] for o in make.every_record("purchase_order", "crm") if o["data"]["status"] in ("已批准", "已入库")]
    assert w["inventory.purchase_by_supplier"]["totals"] == [sum(_n(o["amount"]) for o in orders)]


def test_the_workload_dashboard_equals_counts_of_the_tasks(widgets: tuple[Maker, dict[str, Any]]) -> None:
    make, w = widgets
    tasks = [t["data"] for t in make.every_record("task", "crm")]
    open_tasks = [t for t in tasks if t["status"] != "已完成"]
    overdue = [t for t in open_tasks if t.get("due_on") and date.fromisoformat(t["due_on"]) < TODAY]
    assert open_tasks and overdue
    assert w["workload.open_tasks"]["rows"][0][0] == len(open_tasks)
    assert w["workload.overdue"]["rows"][0][0] == len(overdue)
    per_owner = _by(w["workload.open_by_owner"])
    assert per_owner == dict(Counter(DEMO_USERS[t["assignee"]] for t in open_tasks))  # shown by name
    late = _by(w["workload.open_by_owner"], measure=1)
    assert late == {o: Decimal(sum(1 for t in overdue if DEMO_USERS[t["assignee"]] == o)) for o in per_owner}
    assert _by(w["workload.by_status"]) == dict(Counter(t["status"] for t in tasks))
    due = w["workload.due_list"]["rows"]
    assert [r[0] for r in due] == sorted(r[0] for r in due)  # by due date, soonest first
    assert sum(r[-1] for r in due) == len(open_tasks)
    projects = make.every_record("project", "crm")
    assert w["workload.projects"]["totals"] == [len(tasks), len(open_tasks)]
    assert len(projects) >= 4
