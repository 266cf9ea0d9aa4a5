"""Search (`q=`) over a form's searched fields, through the API: the index narrows, LIKE decides, so
every answer equals a plain substring check — on the index's road and on the scan's road alike."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, insert

from engine import pinyin
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.tables import records
from runtime.records import listing, search
from runtime.records.context import SYSTEM, Change
from tests.backends import fresh_database
from tests.factories import Maker, shop
from tests.permission_setup import DEALS, deal, sales_app, setup_sales

PREFIXES = "华为腾讯阿里京东美团小米网易中兴联想"


def _names(count: int) -> list[str]:
    rng = random.Random(3)
    return [f"{''.join(rng.sample(PREFIXES, 3))}{rng.choice(['科技', '贸易', 'Tech'])}有限公司{i}" for i in range(count)]


def _searched_shop() -> dict[str, Any]:
    definition = shop()
    definition["forms"][0]["search_fields"] = ["note"]
    return definition


def _found(make: Maker, asked: str, url: str | None = None, who: dict[str, str] | None = None) -> set[int]:
    ids, cursor = set(), None
    while True:
        params = {"q": asked, "limit": 50, **({"cursor": cursor} if cursor else {})}
        r = make.client.get(url or make.url(), params=params, headers=who or make.admin)
        assert r.status_code == 200, r.text
        ids |= {item["id"] for item in r.json()["items"]}
        cursor = r.json()["next_cursor"]
        if not cursor:
            return ids


@pytest.fixture
def customers(make: Maker) -> dict[int, dict[str, Any]]:
    make.app_def(_searched_shop())
    items = [{"name": n, "note": f"联系电话 {1380013800 + i}"} for i, n in enumerate(_names(120))]
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    return {item["id"]: item["data"] for item in r.json()["items"]}


ASKED = ["华", "华为", "为腾讯", "tech", "TECH 有限", "有限公司11", "公司7", "1380013800", "没有这家", "z"]


def _expected(customers: dict[int, dict[str, Any]], asked: str) -> set[int]:
    """The records holding the text, or (with latin letters in it) spelled so in pinyin (TECH 有限 finds
    华为腾讯Tech有限公司 as "techyouxian")."""
    wanted, spelled = asked.lower(), pinyin.asked(asked)

    def holds(value: str) -> bool:
        return wanted in value.lower() or any(s in pinyin.spelled(value) for s in spelled)

    return {i for i, d in customers.items() if any(holds(d.get(k) or "") for k in ("name", "note"))}


@pytest.mark.parametrize("asked", ASKED)
def test_search_finds_exactly_the_records_containing_the_text(make: Maker, customers: Any, asked: str) -> None:
    assert _found(make, asked) == _expected(customers, asked)


@pytest.mark.parametrize("asked", ["华", "华为", "没有这家", "TECH 有限"])
def test_the_scan_road_gives_the_same_records(make: Maker, customers: Any, asked: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CANDIDATES", 0)  # every term is "common": the list scans
    assert _found(make, asked) == _expected(customers, asked)


def test_the_index_answers_a_search_with_no_match_without_the_scan(make: Maker, customers: Any) -> None:
    with make.app.state.db.read() as conn:
        assert search.candidates(conn, "没有这家") == []
        assert sorted(search.candidates(conn, "有限公司11") or []) == sorted(
            i for i, d in customers.items() if "有限公司11" in d["name"])


WIDTHS = {"半角": ("ABC科技有限公司", "电话 13800138000"), "全角": ("ＸＹＺ贸易有限公司", "地址 １２号"),
          "括号半": ("华为(北京)有限公司", None), "括号全": ("腾讯（北京）有限公司", None)}


@pytest.mark.parametrize(("asked", "expected"), [
    ("ＡＢＣ", {"半角"}), ("１３８００", {"半角"}), ("12号", {"全角"}), ("XYZ", {"全角"}),
    ("（北京）", {"括号半", "括号全"}), ("(北京)", {"括号半", "括号全"}), ("ＡＢＣ科技　有限", set())])
@pytest.mark.parametrize("road", ["index", "scan"])
def test_full_width_and_half_width_find_each_other(make: Maker, monkeypatch: pytest.MonkeyPatch, asked: str,
                                                   expected: set[str], road: str) -> None:
    """An input method in full-width mode types ＡＢＣ１２ for ABC12; names are keyed in both widths."""
    make.app_def(_searched_shop())
    ids = {label: make.record("customer", {"name": name, **({"note": note} if note else {})})["id"]
           for label, (name, note) in WIDTHS.items()}
    if road == "scan":
        monkeypatch.setattr(search, "CANDIDATES", 0)
    assert _found(make, asked) == {ids[label] for label in expected}


def test_a_changed_title_is_found_by_its_new_text_only(make: Maker, customers: Any) -> None:
    record_id = next(iter(customers))
    r = make.client.patch(f"{make.url()}/{record_id}", json={"data": {"name": "星河湾餐饮管理有限公司"}},
                          headers=make.admin)
    assert r.status_code == 200, r.text
    assert _found(make, "星河湾") == {record_id}
    old = customers[record_id]["name"][:5]
    assert record_id not in _found(make, old)


def test_deleted_records_are_not_found_and_restored_ones_are(make: Maker, customers: Any) -> None:
    record_id = next(iter(customers))
    name = customers[record_id]["name"]
    assert make.client.delete(f"{make.url()}/{record_id}", headers=make.admin).status_code == 200
    assert record_id not in _found(make, name)
    assert make.client.post(f"{make.url()}/{record_id}/restore", headers=make.admin).status_code == 200
    assert record_id in _found(make, name)


def test_an_upgrade_that_adds_a_search_field_indexes_the_stored_records(make: Maker) -> None:
    make.app_def()
    made = make.record("customer", {"name": "甲公司", "note": "老客户转介绍"})
    assert _found(make, "转介绍") == set()  # note is not searched yet
    r = make.client.put("/api/v1/apps/shop", json=_searched_shop(), headers=make.admin)
    assert r.status_code == 200, r.text
    assert _found(make, "转介绍") == {made["id"]}


def test_a_search_never_looks_in_a_field_hidden_from_the_user(make: Maker) -> None:
    people = setup_sales(make)
    definition = sales_app()
    definition["forms"][0]["search_fields"] = ["note"]
    assert make.client.put("/api/v1/apps/sales", json=definition, headers=make.admin).status_code == 200
    made = deal(make, make.admin, "年度框架协议", note="机密备注")
    assert _found(make, "机密", DEALS) == {made["id"]}
    assert _found(make, "机密", DEALS, people["aud"]) == set()  # the auditor reads names only
    assert _found(make, "框架", DEALS, people["aud"]) == {made["id"]}


def test_search_on_a_form_without_searched_fields_is_a_bad_query(make: Maker) -> None:
    definition = shop()
    definition["forms"][1].pop("title_field")
    make.app_def(definition)
    r = make.client.get(make.url("product"), params={"q": "笔"}, headers=make.admin)
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "q"


def test_a_search_field_that_cannot_be_searched_is_refused_with_its_path(make: Maker) -> None:
    definition = shop()
    definition["forms"][0]["search_fields"] = ["amount", "nope"]
    r = make.client.post("/api/v1/apps", json=definition, headers=make.admin)
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["error"]["details"]}
    assert {"forms[0].search_fields[0]", "forms[0].search_fields[1]"} <= paths


def test_the_migration_indexes_records_stored_before_it(backend: str, tmp_path: Any) -> None:
    with fresh_database(backend, tmp_path, create=False) as db:
        schema.upgrade(db, "0006")
        with db.write() as conn:
            definitions.import_app(conn, _searched_shop(), Change(SYSTEM))
            now = datetime.now(UTC)
            conn.execute(insert(records), [
                {"app": "shop", "form": "customer", "data": data, "version": 1, "def_version": 1, "created_at": now,
                 "updated_at": now} for data in ({"name": "深圳华为技术有限公司"}, {"name": "甲", "note": "华为介绍"},
                                                 {"name": "乙"})])
        schema.upgrade(db)
        with db.read() as conn:
            assert len(search.candidates(conn, "华为") or []) == 2
            assert search.candidates(conn, "乙") is not None


def test_a_search_in_a_department_partitioned_list_stays_in_the_departments(make: Maker) -> None:
    people = setup_sales(make)  # mgr reads the east department tree, one query per department
    east = deal(make, people["rep1"], "华东框架协议")
    deal(make, people["rep3"], "华西框架协议")
    assert _found(make, "框架协议", DEALS, people["mgr"]) == {east["id"]}
    assert len(_found(make, "框架协议", DEALS)) == 2


def _pages(make: Maker, params: dict[str, Any], who: dict[str, str] | None = None,
           url: str | None = None) -> list[tuple[Any, ...]]:
    """Every page of a list (its ids, total and whether the total is exact), following the cursors."""
    pages, cursor = [], None
    while True:
        r = make.client.get(url or make.url(), params={**params, **({"cursor": cursor} if cursor else {})},
                            headers=who or make.admin)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(([item["id"] for item in body["items"]], body.get("total"), body.get("total_exact")))
        cursor = body["next_cursor"]
        if not cursor:
            return pages


SLICED = [{"q": "有限公司"}, {"q": "有限公司", "filter[name][contains]": "有限公司2"}, {"q": "华", "sort": "id"},
          {"q": "tech", "count": "true"}, {"q": "公司7", "sort": "-id", "count": "exact"},
          {"q": "有限公司", "filter[name][contains]": "有限公司3", "count": "true", "sort": "id"}]


@pytest.mark.parametrize("params", SLICED)
def test_a_search_tested_a_slice_at_a_time_gives_the_pages_and_total_of_one_query(
        make: Maker, customers: Any, params: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A list by id tests the index's candidates a slice at a time, in its order; a first slice holding every
    candidate is the one query over them all. Same pages, cursors and totals, matches past the first slices
    too (有限公司2: 11 of the 120 candidates, the oldest)."""
    asked = {**params, "limit": 5}
    sliced = _pages(make, asked)
    monkeypatch.setattr(listing, "FIRST_SLICE", 10_000)
    assert _pages(make, asked) == sliced
    wanted = {i for i, d in customers.items() if params.get("filter[name][contains]", "") in d["name"]}
    expected = sorted(_expected(customers, params["q"]) & wanted, reverse=params.get("sort") != "id")
    assert [i for ids, _, _ in sliced for i in ids] == expected
    if "count" in params:
        assert {(total, exact) for _, total, exact in sliced} == {(len(expected), True)}


def test_a_page_of_a_search_reads_the_newest_candidates_not_all(make: Maker, customers: Any) -> None:
    """The 120 customers are all candidates for 有限公司 and all match: the page of the newest 5 is read from
    the first slice of the candidates (8: a page and a quarter, and one for the next cursor), not from all."""
    bound: list[int] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        for found in re.finditer(r"records\.id IN \(", statement):  # the ids it binds, to its closing bracket
            depth, end = 1, found.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(statement[end], 0)
                end += 1
            bound.append(statement[found.end():end].count(",") + 1)

    engine = make.app.state.db.engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        r = make.client.get(make.url(), params={"q": "有限公司", "limit": 5}, headers=make.admin)
    finally:
        event.remove(engine, "before_cursor_execute", spy)
    assert [item["id"] for item in r.json()["items"]] == sorted(customers, reverse=True)[:5]
    assert bound and max(bound) == 8


def test_a_search_in_a_row_scope_finds_its_old_records_past_newer_candidates(make: Maker) -> None:
    """A rep's search: the newest candidates are others' records, outside the rep's scope; the slices go on."""
    people = setup_sales(make)
    mine = deal(make, people["rep1"], "框架协议甲")
    others = [deal(make, make.admin, f"框架协议{i}")["id"] for i in range(20)]
    assert _pages(make, {"q": "框架协议", "limit": 2, "count": "true"}, people["rep1"], DEALS) == [
        ([mine["id"]], 1, True)]
    assert [i for ids, _, _ in _pages(make, {"q": "框架协议", "limit": 3}, url=DEALS)
            for i in ids] == sorted([*others, mine["id"]], reverse=True)
