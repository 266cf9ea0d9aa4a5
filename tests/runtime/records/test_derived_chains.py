"""Derived values are never stale: a chain of lookups, formulas and rollups across three forms follows
every kind of write in the writing transaction, and reaches the analytics mirror.

The chain (region.rate is the only value a user writes at its start):
region.rate → company.region_rate (lookup) → deal.rate (lookup) → deal.weighted (formula) →
company.pipeline (rollup of open deals only) → company.score (formula) → region.total (rollup) →
region.doubled (formula)."""

from __future__ import annotations

import copy
import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from runtime.records import refresh
from tests.factories import Maker

CHAIN = {
    "key": "chain", "name": "派生链", "forms": [
        {"key": "region", "name": "大区", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "rate", "type": "number", "label": "系数"},
            {"key": "total", "type": "rollup", "label": "公司得分合计",
             "source": {"form": "company", "field": "region"}, "agg": "sum", "of": "score"},
            {"key": "doubled", "type": "formula", "label": "双倍合计", "formula": "total * 2"},
        ]},
        {"key": "company", "name": "公司", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "region", "type": "relation", "label": "大区", "target": "region"},
            {"key": "region_rate", "type": "lookup", "label": "大区系数", "relation": "region", "field": "rate",
             "result": "number"},
            # the formula comes before the rollup it reads: computed after it all the same
            {"key": "score", "type": "formula", "label": "得分", "formula": "pipeline + 1"},
            {"key": "pipeline", "type": "rollup", "label": "在途加权金额",
             "source": {"form": "deal", "field": "company"}, "agg": "sum", "of": "weighted",
             "where": 'stage != "输单"'},
        ]},
        {"key": "deal", "name": "商机", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "名称", "required": True},
            {"key": "company", "type": "relation", "label": "公司", "target": "company"},
            {"key": "amount", "type": "number", "label": "金额"},
            {"key": "stage", "type": "select", "label": "阶段", "options": ["跟进", "赢单", "输单"], "default": "跟进"},
            {"key": "rate", "type": "lookup", "label": "系数", "relation": "company", "field": "region_rate",
             "result": "number"},
            {"key": "weighted", "type": "formula", "label": "加权金额", "formula": "amount * rate"},
        ]},
    ],
}


class Chain:
    """The chain app over the API, with the expected values computed independently."""

    def __init__(self, make: Maker) -> None:
        self.make = make
        make.app_def(CHAIN)

    def url(self, form: str) -> str:
        return self.make.url(form, "chain")

    def create(self, form: str, data: dict[str, Any]) -> int:
        r = self.make.client.post(self.url(form), json={"data": data}, headers=self.make.admin)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    def patch(self, form: str, rid: int, data: dict[str, Any]) -> None:
        r = self.make.client.patch(f"{self.url(form)}/{rid}", json={"data": data}, headers=self.make.admin)
        assert r.status_code == 200, r.text

    def selection(self, form: str, action: str, body: dict[str, Any]) -> None:
        r = self.make.client.post(f"/api/v1/apps/chain/forms/{form}/selection/{action}", json=body,
                                  headers=self.make.admin)
        assert r.status_code == 200, r.text

    def get(self, form: str, rid: int) -> dict[str, Any]:
        r = self.make.client.get(f"{self.url(form)}/{rid}", headers=self.make.admin)
        assert r.status_code == 200, r.text
        return r.json()["data"]  # type: ignore[no-any-return]

    def all(self, form: str) -> list[dict[str, Any]]:
        r = self.make.client.get(self.url(form), params={"limit": 500}, headers=self.make.admin)
        assert r.status_code == 200, r.text
        return [{"id": i["id"], **{k: v["id"] if isinstance(v, dict) else v for k, v in i["data"].items()}}
                for i in r.json()["items"]]  # a list shows a relation as {id, title}

    def assert_consistent(self) -> None:
        """Every derived value equals what the stored inputs give, computed here from scratch."""
        regions = {r["id"]: r for r in self.all("region")}
        companies = {c["id"]: c for c in self.all("company")}
        deals = self.all("deal")
        for c in companies.values():
            expected = regions[c["region"]].get("rate") if c.get("region") in regions else None
            assert _n(c.get("region_rate")) == _n(expected), c
        for d in deals:
            rate = companies[d["company"]].get("region_rate") if d.get("company") in companies else None
            assert _n(d.get("rate")) == _n(rate), d
            weighted = Decimal(d["amount"]) * Decimal(rate) if rate is not None and "amount" in d else None
            assert _n(d.get("weighted")) == weighted, d
        for c in companies.values():
            mine = [_n(d.get("weighted")) or 0 for d in deals if d.get("company") == c["id"] and d["stage"] != "输单"]
            assert _n(c["pipeline"]) == sum(mine, Decimal(0)), c
            assert _n(c["score"]) == _n(c["pipeline"]) + 1, c  # type: ignore[operator]
        for r in regions.values():
            total = sum((_n(c["score"]) for c in companies.values() if c.get("region") == r["id"]), Decimal(0))
            assert _n(r["total"]) == total and _n(r["doubled"]) == total * 2, r


def _n(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@pytest.fixture
def chain(make: Maker) -> Chain:
    return Chain(make)


def _world(chain: Chain) -> tuple[list[int], list[int], list[int]]:
    regions = [chain.create("region", {"name": n, "rate": r}) for n, r in (("华东", "3"), ("华北", "2"))]
    companies = [chain.create("company", {"name": f"公司{i}", "region": regions[i % 2]}) for i in range(3)]
    deals = [chain.create("deal", {"title": f"商机{i}", "company": companies[i % 3], "amount": str(10 * (i + 1))})
             for i in range(6)]
    return regions, companies, deals


def test_creating_records_fills_the_whole_chain_up_to_the_region(chain: Chain) -> None:
    regions, companies, _deals = _world(chain)
    assert chain.get("company", companies[0])["pipeline"] == "150"  # (10 + 40) × 3
    assert chain.get("region", regions[0])["doubled"] == str(2 * (151 + 271))
    chain.assert_consistent()


def test_a_rate_change_at_the_top_reaches_every_dependant_three_forms_down_and_back(chain: Chain) -> None:
    """The issue's case: the deals' lookup followed, the company's rollup and formula stayed stale."""
    regions, companies, _deals = _world(chain)
    chain.patch("region", regions[0], {"rate": "5"})
    company = chain.get("company", companies[0])
    assert (company["region_rate"], company["pipeline"], company["score"]) == (5, "250", "251")
    assert chain.get("region", regions[0])["total"] == str(251 + 451)
    chain.assert_consistent()


def test_updates_deletes_and_restores_of_a_deal_refresh_its_company_and_region(chain: Chain) -> None:
    regions, companies, deals = _world(chain)
    chain.patch("deal", deals[0], {"amount": "1000"})
    chain.assert_consistent()
    assert chain.get("region", regions[0])["total"] == str((1000 + 40) * 3 + 1 + 271)
    r = chain.make.client.delete(f"{chain.url('deal')}/{deals[0]}", headers=chain.make.admin)
    assert r.status_code in (200, 204), r.text
    assert chain.get("company", companies[0])["pipeline"] == "120"
    chain.assert_consistent()
    r = chain.make.client.post(f"{chain.url('deal')}/{deals[0]}/restore", headers=chain.make.admin)
    assert r.status_code == 200, r.text
    assert chain.get("company", companies[0])["pipeline"] == "3120"
    chain.assert_consistent()


def test_a_rollup_where_counts_only_the_records_meeting_it(chain: Chain) -> None:
    regions, companies, deals = _world(chain)
    chain.patch("deal", deals[0], {"stage": "输单"})
    assert chain.get("company", companies[0])["pipeline"] == "120"  # only 商机3 (40 × 3) is open
    chain.patch("deal", deals[0], {"stage": "赢单"})
    assert chain.get("company", companies[0])["pipeline"] == "150"
    chain.assert_consistent()


def test_a_deal_moved_to_a_company_of_another_region_refreshes_both_sides(chain: Chain) -> None:
    regions, companies, deals = _world(chain)
    before = {r: chain.get("region", r)["total"] for r in regions}
    chain.patch("deal", deals[0], {"company": companies[1]})  # 公司0 (华东, ×3) → 公司1 (华北, ×2)
    assert chain.get("deal", deals[0])["weighted"] == "20"
    assert chain.get("company", companies[0])["pipeline"] == "120"
    assert chain.get("company", companies[1])["pipeline"] == str(20 * 2 + 50 * 2 + 20)
    after = {r: chain.get("region", r)["total"] for r in regions}
    assert after != before
    chain.assert_consistent()
    chain.patch("company", companies[2], {"region": regions[1]})  # a company moves: both regions follow
    chain.assert_consistent()


def test_bulk_create_selection_update_and_delete_keep_the_chain_current(chain: Chain) -> None:
    regions, companies, _deals = _world(chain)
    r = chain.make.client.post(f"{chain.url('deal')}/bulk", headers=chain.make.admin, json={"items": [
        {"title": f"批量{i}", "company": companies[i % 3], "amount": str(i + 1)} for i in range(20)]})
    assert r.status_code == 201, r.text
    chain.assert_consistent()
    ids = [d["id"] for d in chain.all("deal") if d["title"].startswith("批量")]
    chain.selection("deal", "update", {"ids": ids, "data": {"company": companies[0]}})
    chain.assert_consistent()
    chain.selection("deal", "update", {"ids": ids[:5], "data": {"stage": "输单"}})
    chain.assert_consistent()
    chain.selection("deal", "delete", {"ids": ids})
    chain.assert_consistent()
    chain.selection("region", "update", {"ids": regions, "data": {"rate": "7"}})
    chain.assert_consistent()


def test_an_import_of_deals_refreshes_their_companies_and_regions(chain: Chain) -> None:
    regions, companies, _deals = _world(chain)
    out = io.StringIO()
    csv.writer(out).writerows([["名称", "公司", "金额", "阶段"],
                               *[[f"导入{i}", "公司0", str(i), "输单" if i % 4 == 0 else "跟进"] for i in range(1, 13)]])
    r = chain.make.client.post(f"{chain.url('deal')}/import", headers=chain.make.admin,
                               files={"file": ("deals.csv", out.getvalue().encode(), "text/csv")})
    assert r.status_code == 201, r.text
    open_amounts = sum(i for i in range(1, 13) if i % 4)
    assert chain.get("company", companies[0])["pipeline"] == str((10 + 40 + open_amounts) * 3)
    chain.assert_consistent()


def test_a_selection_update_of_many_deals_refreshes_their_company_once(chain: Chain, monkeypatch: Any) -> None:
    _regions, companies, _deals = _world(chain)
    ids = [chain.create("deal", {"title": f"多{i}", "company": companies[0], "amount": "1"}) for i in range(12)]
    saved: list[int] = []
    original = refresh.save_refreshed

    def counting(conn: Any, app: str, form: Any, changed: dict[int, Any]) -> None:
        saved.extend(changed)
        original(conn, app, form, changed)

    monkeypatch.setattr(refresh, "save_refreshed", counting)
    chain.selection("deal", "update", {"ids": ids, "data": {"amount": "2"}})
    assert saved.count(companies[0]) == 1
    chain.assert_consistent()


def test_the_mirror_follows_a_change_at_the_top_of_the_chain(client: TestClient, chain: Chain) -> None:
    regions, _companies, _deals = _world(chain)
    make = chain.make
    assert client.post("/api/v1/mirror/sync", headers=make.admin).status_code == 200
    chain.patch("region", regions[0], {"rate": "5"})
    assert client.post("/api/v1/mirror/sync", headers=make.admin).status_code == 200
    fresh: dict[str, dict[str, Any]] = {}
    for form, measure in (("deal", "weighted"), ("company", "pipeline"), ("region", "doubled")):
        widget = {"type": "bar", "form": form, "dimensions": [{"field": "name" if form != "deal" else "title"}],
                  "measures": [{"agg": "sum", "field": measure}]}
        rows = {engine: client.post(f"/api/v1/apps/chain/query?engine={engine}", json=widget,
                                    headers=make.admin).json()["widgets"][0]["rows"] for engine in ("mirror", "primary")}
        assert rows["mirror"] == rows["primary"], form
        fresh[form] = dict(map(tuple, rows["mirror"]))
    assert fresh["deal"]["商机0"] == 50 and fresh["company"]["公司0"] == 250 and fresh["region"]["华东"] == 2 * (251 + 451)


def test_publishing_an_app_whose_derived_fields_form_a_cycle_is_refused_naming_it(make: Maker) -> None:
    cyclic = copy.deepcopy(CHAIN)
    cyclic["forms"][1]["fields"][2]["field"] = "total"  # companies look up the region's total of their scores
    r = make.client.post("/api/v1/apps", json=cyclic, headers=make.admin)
    assert r.status_code == 422, r.text
    [detail] = r.json()["error"]["details"]
    assert detail["path"] == "forms[1].fields[4]" and detail["code"] == "derived_cycle"
    assert ("公司.在途加权金额 → 商机.加权金额 → 商机.系数 → 公司.大区系数 → 大区.公司得分合计 → 公司.得分 → "
            "公司.在途加权金额") in detail["message"]
    assert make.client.get("/api/v1/apps/chain", headers=make.admin).status_code == 404  # nothing stored


def test_a_rollup_where_that_is_not_a_condition_is_refused_at_its_path(make: Maker) -> None:
    broken = copy.deepcopy(CHAIN)
    broken["forms"][1]["fields"][4]["where"] = "amount * 2"
    r = make.client.post("/api/v1/apps", json=broken, headers=make.admin)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["forms[1].fields[4].where"]


def test_the_crm_weighted_pipeline_counts_open_opportunities_only(make: Maker) -> None:
    make.app_def(json.loads((Path(__file__).resolve().parents[3] / "apps" / "crm_template.json").read_text("utf-8")))
    customer = make.record("customer", {"name": "苏州恒瑞精密机械有限公司"}, app="crm")["id"]
    deals = {stage: make.record("opportunity", {"name": stage, "customer": customer, "stage": stage,
                                                "amount": "100000", "probability": "50%"}, app="crm")["id"]
             for stage in ("需求确认", "商务谈判", "赢单", "输单")}

    def pipeline() -> str:
        return make.client.get(f"{make.url('customer', 'crm')}/{customer}",  # type: ignore[no-any-return]
                               headers=make.admin).json()["data"]["weighted_pipeline"]

    assert pipeline() == "100000"  # two open ones of 50000; the won and the lost one are not in the pipeline
    r = make.client.patch(f"{make.url('opportunity', 'crm')}/{deals['商务谈判']}", json={"data": {"stage": "赢单"}},
                          headers=make.admin)
    assert r.status_code == 200, r.text
    assert pipeline() == "50000"
