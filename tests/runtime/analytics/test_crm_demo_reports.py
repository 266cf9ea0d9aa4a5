"""The CRM's dashboards tell the truth on its own demo data: every widget of every report, on the primary
database and on the DuckDB mirror, answers with plausible figures — nothing empty (the current month
included), sales cycles never negative, rates within [0, 1] and shown as percentages, totals equal to
sums computed independently from the records the records API lists."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from runtime.demo.load import load_demo
from tests.factories import Maker

TEMPLATE = Path(__file__).resolve().parents[3] / "apps" / "crm_template.json"
NOW = datetime(2026, 12, 3, 4, 30, tzinfo=UTC)  # early in a month: the current month is only 3 days old
ZONE = ZoneInfo("Asia/Shanghai")
RATES = {"win_rate", "sla_rate", "conversion"}
OPEN_TICKET = {"待处理", "处理中", "待客户确认"}
SIGNED = {"执行中", "已完成"}


@pytest.fixture
def crm(make: Maker, app: Any) -> Maker:
    app.state.clock = lambda: NOW
    make.app_def(json.loads(TEMPLATE.read_text("utf-8")))
    load_demo(app.state.db, "crm", 40, seed=3, now=NOW, progress=False)
    return make



def _reports(make: Maker, engine: str) -> dict[str, dict[str, Any]]:
    """Every widget of every CRM dashboard as `report.widget` → its result."""
    definition = json.loads(TEMPLATE.read_text("utf-8"))
    found = {}
    for report in definition["reports"]:
        r = make.client.get(f"/api/v1/apps/crm/reports/{report['key']}", params={"engine": engine}, headers=make.admin)
        assert r.status_code == 200, r.text
        for w in json.loads(r.text, parse_float=Decimal)["widgets"]:
            found[f"{report['key']}.{w['key']}"] = w
    return found


def _column(widget: dict[str, Any], key: str) -> int:
    return [c["key"] for c in widget["columns"]].index(key)


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _local(moment: str) -> date:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone(ZONE).date()


def _this_month(day: str | None) -> bool:
    today = NOW.astimezone(ZONE).date()
    return day is not None and day[:7] == today.isoformat()[:7]


@pytest.fixture
def both(crm: Maker) -> Iterator[tuple[Maker, dict[str, dict[str, Any]]]]:
    primary = _reports(crm, "primary")
    mirror = _reports(crm, "mirror")
    for key, widget in primary.items():
        other = dict(mirror[key])
        assert other.pop("engine") == "mirror"
        assert {**widget, "engine": "mirror"} == {**other, "engine": "mirror"}, key
    yield crm, primary


def test_every_crm_widget_shows_plausible_figures_on_demo_data_on_both_engines(both: tuple[Maker, dict[str, Any]]) -> None:
    _, widgets = both
    for key, w in widgets.items():
        assert "error" not in w, (key, w.get("error"))
        assert w["rows"], key
        if w["type"] == "kpi":
            assert w["rows"][0][0] is not None, key  # this period's value: demo data reaches the current month
            assert w["rows"][0][0] != 0, key
    cycle = widgets["sales_cockpit.sales_cycle"]["rows"][0][0]
    assert 0 <= cycle <= 730
    assert widgets["sales_cockpit.sales_cycle"]["formatted"][0][0] == f"{cycle.quantize(Decimal('0.1'))} 天"
    checked = 0
    for key, w in widgets.items():
        for j, column in enumerate(w["columns"]):
            if column["key"] in RATES:
                for row in w["rows"]:
                    assert row[j] is None or 0 <= row[j] <= 1, (key, row)
                    checked += 1
    assert checked >= 4
    win = widgets["sales_cockpit.win_rate"]
    assert win["columns"][0]["format"] == "percent"
    rate = win["rows"][0][0]
    assert win["formatted"][0][0] == f"{(rate * 100).quantize(Decimal('0.1'))}%"
    assert win["formatted"][0][1] == "35.0%"  # the target, in the measure's format
    amount = widgets["sales_cockpit.sales_amount"]
    assert amount["formatted"][0][0] == f"¥{amount['rows'][0][0]:,.2f}"
    assert amount["formatted"][0][1] == "¥30,000,000.00"


SHOWN = {  # each unit as a boss reads it: no raw 0.5701, no bare 1234567.5
    "money": re.compile(r"-?¥\d{1,3}(,\d{3})*\.\d{2}"),
    "percent": re.compile(r"[+-]?\d{1,3}(,\d{3})*\.\d%"),
    "count": re.compile(r"\d{1,3}(,\d{3})*"),
    "days": re.compile(r"\d{1,3}(,\d{3})*\.\d 天"),  # never negative
}
SHORT = re.compile(r"-?¥?\d{1,3}(,\d{3})*(\.\d{1,2})?[万亿]|.*[%天]|-?¥?\d{1,3}(,\d{3})*(\.\d{2})?")
AXES = {"bar", "stacked_bar", "horizontal_bar", "line", "area"}


def test_every_crm_widget_gives_each_measure_a_unit_and_formats_every_number(both: tuple[Maker, dict[str, Any]]) -> None:
    _, widgets = both
    for key, w in widgets.items():
        for j, column in enumerate(w["columns"]):
            if column["role"] != "measure":
                continue
            assert column.get("format") in SHOWN, (key, column)
            for row, texts in zip(w["rows"], w["formatted"], strict=True):
                assert (row[j] is None) == (texts[j] is None), (key, column["key"], row[j])
                assert row[j] is None or SHOWN[column["format"]].fullmatch(texts[j]), (key, column["key"], texts[j])
        for texts in w.get("formatted_short", []):
            assert all(t is None or SHORT.fullmatch(t) for t in texts), (key, texts)
        if w["type"] in AXES:  # a count never shares the money axis
            axes = {c["format"]: c["axis"] for c in w["columns"] if c["role"] == "measure" and c["axis"] is not None}
            assert len(set(axes.values())) == len(axes), (key, axes)
    cockpit = {k.removeprefix("sales_cockpit."): w for k, w in widgets.items() if k.startswith("sales_cockpit.")}
    assert {w["type"] for w in cockpit.values()} >= {"kpi", "gauge", "funnel", "horizontal_bar", "bar", "line"}
    assert cockpit["win_rate"]["formatted"][0][0].endswith("%")
    assert cockpit["sales_amount"]["formatted_short"][0][1] == "¥3,000万"
    assert [r[0] for r in cockpit["lead_funnel"]["rows"]] == ["线索", "商机", "赢单"]
    leads, opportunities, won = (r[1] for r in cockpit["lead_funnel"]["rows"])
    assert leads > opportunities > won > 0
    for figure in ("ltv", "cac", "churn_rate"):
        assert cockpit[figure]["rows"][0][0] > 0, figure
    assert 0 < cockpit["churn_rate"]["rows"][0][0] < Decimal("0.5")
    assert cockpit["ltv"]["rows"][0][0] > cockpit["cac"]["rows"][0][0]  # a customer is worth more than it costs to win
    pipeline = cockpit["pipeline_by_stage"]["columns"]
    assert [(c["format"], c["axis"]) for c in pipeline[1:]] == [("count", 0), ("money", 1), ("money", 1)]


def test_every_crm_figure_drills_down_to_its_records(both: tuple[Maker, dict[str, Any]]) -> None:
    make, widgets = both
    for key, w in widgets.items():
        report, widget = key.split(".")
        point = next((k for k in w["keys"] if k is not None), None)
        assert point is not None, key
        r = make.client.get(f"/api/v1/apps/crm/reports/{report}/widgets/{widget}/drill",
                            params={"point": json.dumps(point), "limit": 1}, headers=make.admin)
        assert r.status_code == 200, (key, r.text)
    r = make.client.get("/api/v1/apps/crm/reports/sales_cockpit/widgets/lead_funnel/drill",
                        params={"point": "[2]", "limit": 500}, headers=make.admin)
    won = widgets["sales_cockpit.lead_funnel"]["rows"][2][1]
    assert len(r.json()["items"]) == won  # the leads whose opportunity was won


def test_totals_equal_sums_of_the_records(both: tuple[Maker, dict[str, Any]]) -> None:
    make, widgets = both
    contracts = [c for c in make.every_record("contract", "crm") if c["data"].get("status") in SIGNED]
    this_month = [c for c in contracts if _this_month(c["data"].get("signed_on"))]
    assert widgets["sales_cockpit.sales_amount"]["rows"][0][0] == sum(_money(c["data"]["amount"]) for c in this_month)
    assert widgets["sales_cockpit.contracts_signed"]["rows"][0][0] == len(this_month)
    monthly = widgets["sales_cockpit.monthly_sales"]
    assert monthly["totals"] == [sum(_money(c["data"]["amount"]) for c in contracts), len(contracts)]
    assert monthly["rows"][0][0] <= "2025-06" and monthly["rows"][-1][0] == "2026-12"  # from long ago to this month

    payments = make.every_record("payment", "crm")
    received = sum(_money(p["data"].get("amount")) for p in payments if _this_month(p["data"].get("received_on")))
    assert widgets["sales_cockpit.payments"]["rows"][0][0] == received

    customers = make.every_record("customer", "crm")
    new = [c for c in customers if _local(c["created_at"]).isoformat()[:7] == NOW.astimezone(ZONE).isoformat()[:7]]
    assert widgets["sales_cockpit.new_customers"]["rows"][0][0] == len(new)
    assert widgets["churn.by_status"]["totals"] == [len(customers)]
    assert widgets["customer_profile.profile"]["totals"][1] == sum(
        _money(c["data"].get("total_contract_amount")) for c in customers)

    opportunities = make.every_record("opportunity", "crm")
    stages = [o["data"]["stage"] for o in opportunities]
    pipeline = widgets["sales_cockpit.pipeline_by_stage"]["totals"]
    assert pipeline[:2] == [len(opportunities), sum(_money(o["data"].get("amount")) for o in opportunities)]
    won, lost = stages.count("赢单"), stages.count("输单")
    assert won and lost and widgets["sales_cockpit.win_rate"]["rows"][0][0] == (
        Decimal(won) / Decimal(won + lost)).quantize(Decimal("1e-10")).normalize()
    for o in opportunities:  # every opportunity was created before its stage last changed
        if o["data"].get("stage_changed_at"):
            assert o["data"]["stage_changed_at"] >= o["created_at"], o

    leads = make.every_record("lead", "crm")
    assert widgets["lead_sources.by_source"]["totals"] == [len(leads)]

    tickets = make.every_record("ticket", "crm")
    assert widgets["service.weekly"]["totals"] == [len(tickets)]
    assert widgets["service.backlog"]["totals"] == [sum(t["data"].get("status") in OPEN_TICKET for t in tickets)]
    resolved = [t for t in tickets if t["data"].get("resolved_at")]
    on_time = [t for t in resolved if t["data"]["resolved_at"] <= t["data"]["sla_due_at"]]
    assert resolved and widgets["service.sla"]["rows"][0][0] == (
        Decimal(len(on_time)) / Decimal(len(resolved))).quantize(Decimal("1e-10")).normalize()


DEMO_DEFAULT = 1000  # `tangram demo-data` without --count: the figures a first look at the cockpit shows
LOADED = 40  # the crm fixture's customers; every other form scales with them


def test_the_cockpit_targets_fit_the_demo_data_and_one_another(crm: Maker) -> None:
    """A monthly KPI's target is about what the demo books in a month at its default size (12 months' figures,
    scaled from the 40 customers loaded here), so no card reads 2.5 % while its neighbour reads 130 %; the
    quarter's and the year's targets are three and twelve months of the month's."""
    definition = json.loads(TEMPLATE.read_text("utf-8"))
    cockpit = {w["key"]: w for w in next(r for r in definition["reports"] if r["key"] == "sales_cockpit")["widgets"]}
    months = {f"{(NOW.year * 12 + NOW.month - 1 - k) // 12}-{(NOW.month - 1 - k) % 12 + 1:02d}" for k in range(1, 13)}
    fits = {}
    for key in ("sales_amount", "payments", "new_customers", "contracts_signed"):
        w = cockpit[key]
        query = {"type": "table", "form": w["form"], "measures": w["measures"],
                 "dimensions": [{"field": w["period"]["field"], "bucket": "month"}]}
        if "filter" in w:
            query["filter"] = w["filter"]
        r = crm.client.post("/api/v1/apps/crm/query", json=query, headers=crm.admin)
        assert r.status_code == 200, r.text
        booked = sum(Decimal(str(row[1])) for row in r.json()["widgets"][0]["rows"] if row[0] in months)
        fits[key] = booked / 12 * DEMO_DEFAULT / LOADED / Decimal(w["target"])
    assert all(Decimal("0.6") <= fit <= Decimal("1.6") for fit in fits.values()), fits
    month = Decimal(cockpit["sales_amount"]["target"])
    assert Decimal(cockpit["sales_quarter"]["target"]) == 3 * month
    assert Decimal(cockpit["sales_year"]["target"]) == 12 * month


def test_a_deal_imported_as_won_before_its_record_existed_leaves_the_sales_cycle_alone(make: Maker, app: Any) -> None:
    """stage_changed_at before created_at (an imported history) would make a negative cycle: it is left out."""
    clock = [NOW]
    app.state.clock = lambda: clock[0]
    make.app_def(json.loads(TEMPLATE.read_text("utf-8")))
    customer = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")["id"]
    deal = make.record("opportunity", {"name": "CRM 项目", "customer": customer, "stage": "商务谈判"}, app="crm")
    clock[0] = NOW + timedelta(days=10)
    r = make.client.patch(f"{make.url('opportunity', 'crm')}/{deal['id']}", json={"data": {"stage": "赢单"}},
                          headers=make.admin)
    assert r.status_code == 200, r.text
    make.record("opportunity", {"name": "历史赢单（导入）", "customer": customer, "stage": "赢单",
                                "stage_changed_at": "2024-01-10T02:00:00Z"}, app="crm")
    for engine in ("primary", "mirror"):
        r = make.client.get("/api/v1/apps/crm/reports/sales_cockpit", params={"engine": engine}, headers=make.admin)
        cycle = next(w for w in r.json()["widgets"] if w["key"] == "sales_cycle")
        assert cycle["rows"][0][0] == 10 and cycle["formatted"][0][0] == "10.0 天", engine


def test_churn_counts_customers_with_neither_an_order_nor_a_renewal_in_twelve_months(make: Maker, app: Any) -> None:
    """客户流失率: a customer whose last order is two years old but who signed a new contract two months ago renewed;
    only the one with neither in the last 12 months has churned — on both engines."""
    app.state.clock = lambda: NOW
    make.app_def(json.loads(TEMPLATE.read_text("utf-8")))
    long_ago, lately = (NOW - timedelta(days=730)).date().isoformat(), (NOW - timedelta(days=60)).date().isoformat()
    gone, renewed, buying = (make.record("customer", {"name": name}, app="crm")["id"]
                             for name in ("常州久远化工有限公司", "无锡恒通电子有限公司", "南通海联纺织有限公司"))
    for customer, day in ((gone, long_ago), (renewed, long_ago), (buying, lately)):
        make.record("order", {"customer": customer, "ordered_on": day}, app="crm")
    make.record("contract", {"title": "续约合同", "customer": renewed, "amount": "120000", "signed_on": lately,
                             "status": "执行中"}, app="crm")
    make.record("contract", {"title": "作废合同", "customer": gone, "amount": "90000", "signed_on": lately,
                             "status": "已终止"}, app="crm")  # terminated: no renewal
    for engine in ("primary", "mirror"):
        r = make.client.get("/api/v1/apps/crm/reports/sales_cockpit", params={"engine": engine}, headers=make.admin)
        assert r.status_code == 200, r.text
        churn = next(w for w in r.json()["widgets"] if w["key"] == "churn_rate")
        assert churn["formatted"][0][0] == "33.3%", (engine, churn)
        r = make.client.get("/api/v1/apps/crm/reports/sales_cockpit/widgets/churn_rate/drill",
                            params={"point": "[]", "engine": engine}, headers=make.admin)
        assert r.status_code == 200, r.text
        assert {c["id"] for c in r.json()["items"]} == {gone, renewed, buying}  # the customers it is a rate of
