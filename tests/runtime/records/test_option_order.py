"""Selects sort in option order — the order the definition lists them, not their text — in lists
(sort, keyset cursor, the index that serves them), exports and report dimensions on both engines;
options added or reordered later give the new order."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.records import listing
from runtime.records.indexes import existing_indexes, index_prefix
from tests.factories import Maker, shop
from tests.plans import list_plan, uses_index_without_sorting

SIZES = ["20-99人", "100-499人", "1000人以上"]
"""公司规模 as the CRM lists them: by their text they would come 100-499人, 1000人以上, 20-99人."""


def _app(make: Maker, options: list[str] | None = None) -> dict[str, Any]:
    definition = shop()
    customer = definition["forms"][0]
    customer["fields"].append({"key": "size", "type": "select", "label": "公司规模", "options": options or SIZES})
    customer["indexes"].append(["size"])
    make.app_def(definition)
    return definition


def _seed(make: Maker) -> dict[str, str | None]:
    sizes: dict[str, str | None] = {}
    for i in range(12):
        size = (SIZES + [None])[i % 4]  # a blank among them: blanks sort first ascending, last descending
        name = f"客户{i:02d}"
        make.record("customer", {"name": name, **({"size": size} if size else {})})
        sizes[name] = size
    return sizes


def _names(make: Maker, params: dict[str, Any]) -> list[str]:
    names, cursor = [], None
    while True:
        r = make.client.get(make.url(), params={**params, **({"cursor": cursor} if cursor else {})},
                            headers=make.admin)
        assert r.status_code == 200, r.text
        names += [i["data"]["name"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return names


def _expected(sizes: dict[str, str | None], order: list[str], descending: bool) -> list[str]:
    ids = {name: i for i, name in enumerate(sizes)}  # created in this order: ids rise with it

    def key(name: str) -> tuple[int, int]:
        size = sizes[name]
        return (0 if size is None else order.index(size) + 1, ids[name])

    return sorted(sizes, key=key, reverse=descending)


@pytest.mark.parametrize("sort", ["size", "-size"], ids=["ascending", "descending"])
def test_a_list_sorted_by_a_select_pages_through_in_option_order(make: Maker, sort: str) -> None:
    _app(make)
    sizes = _seed(make)
    names = _names(make, {"sort": sort, "limit": 5})  # three pages: the cursor carries the option's place
    assert names == _expected(sizes, SIZES, sort.startswith("-"))


def test_reordered_and_added_options_sort_in_their_new_order_and_rebuild_the_index(make: Maker) -> None:
    definition = _app(make)
    sizes = _seed(make)
    with make.app.state.db.read() as conn:
        before = existing_indexes(conn, "shop", "customer")
    new_order = ["1000人以上", "500-999人", "20-99人", "100-499人"]
    definition["forms"][0]["fields"][-1]["options"] = new_order
    definition["version"] = "1.0.1"
    r = make.client.put("/api/v1/apps/shop", json=definition, headers=make.admin)
    assert r.status_code == 200, r.text
    make.record("customer", {"name": "客户新", "size": "500-999人"})
    sizes["客户新"] = "500-999人"
    assert _names(make, {"sort": "size", "limit": 4}) == _expected(sizes, new_order, False)
    with make.app.state.db.read() as conn:
        after = existing_indexes(conn, "shop", "customer")
    assert len(after - before) == 1 and len(before - after) == 1  # the size index, over the new order


def test_filters_on_a_select_still_find_its_values(make: Maker) -> None:
    _app(make)
    sizes = _seed(make)
    r = make.client.get(make.url(), params={"filter[size]": "100-499人", "sort": "name"}, headers=make.admin)
    assert [i["data"]["name"] for i in r.json()["items"]] == [n for n, s in sizes.items() if s == "100-499人"]
    r = make.client.get(make.url(), params={"filter[size][in]": "1000人以上,20-99人", "sort": "-size"},
                        headers=make.admin)
    assert [i["data"]["size"] for i in r.json()["items"]] == ["1000人以上"] * 3 + ["20-99人"] * 3


def test_an_option_with_a_quote_a_colon_and_a_percent_is_indexed_and_sorted(make: Maker) -> None:
    _app(make, ["b:'2'", "a:1 %s 5%"])
    make.record("customer", {"name": "甲", "size": "a:1 %s 5%"})
    make.record("customer", {"name": "乙", "size": "b:'2'"})
    assert _names(make, {"sort": "size", "limit": 1}) == ["乙", "甲"]


def test_the_option_order_sort_walks_the_selects_index(make: Maker) -> None:
    _app(make)
    _seed(make)
    keys = [listing.SortKey("size"), listing.SortKey("id")]
    found = list_plan(make, "shop", "customer", sort=[listing.SortKey("size")],
                      cursor=listing.encode_cursor(keys, ["20-99人", 3]))
    uses_index_without_sorting(found, index_prefix("shop", "customer"))


def test_an_export_sorted_by_a_select_comes_in_option_order(make: Maker) -> None:
    _app(make)
    sizes = _seed(make)
    r = make.client.get(make.url() + "/export", params={"format": "jsonl", "sort": "-size,name"}, headers=make.admin)
    assert r.status_code == 200, r.text
    import json

    shown = [json.loads(line)["data"].get("size") for line in r.text.splitlines()]
    assert shown == [s for s in ["1000人以上", "100-499人", "20-99人", None] for v in sizes.values() if v == s]


@pytest.mark.parametrize("engine", ["primary", "mirror"])
def test_report_groups_of_a_select_come_in_option_order_on_both_engines(make: Maker, engine: str) -> None:
    definition = _app(make)
    _seed(make)
    body = {"type": "bar", "form": "customer", "dimensions": [{"field": "size"}], "measures": [{"agg": "count"}]}
    r = make.client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"] == [["20-99人", 3], ["100-499人", 3], ["1000人以上", 3], [None, 3]]
    definition["forms"][0]["fields"][-1]["options"] = list(reversed(SIZES))
    definition["version"] = "1.0.1"
    assert make.client.put("/api/v1/apps/shop", json=definition, headers=make.admin).status_code == 200
    r = make.client.post(f"/api/v1/apps/shop/query?engine={engine}", json=body, headers=make.admin)
    assert r.status_code == 200, r.text
    assert r.json()["widgets"][0]["rows"] == [["1000人以上", 3], ["100-499人", 3], ["20-99人", 3], [None, 3]]


def test_the_list_page_sorts_a_select_in_option_order(make: Maker) -> None:
    import re

    _app(make)
    sizes = _seed(make)
    make.user("admin")
    r = make.client.post("/login", data={"username": "admin", "password": "password-123"}, follow_redirects=False)
    assert r.status_code == 303
    html = make.client.get("/apps/shop/forms/customer", params={"sort": "size"}).text
    assert re.findall(r">(客户\d{2})<", html) == _expected(sizes, SIZES, False)


def test_expressions_compare_a_selects_text_as_python_does_and_find_values_no_longer_options(make: Maker) -> None:
    definition = _app(make)
    sizes = _seed(make)

    def names(expression: str) -> list[str]:
        r = make.client.get(make.url(), params={"filter": expression, "sort": "id", "limit": 100}, headers=make.admin)
        assert r.status_code == 200, r.text
        return [i["data"]["name"] for i in r.json()["items"]]

    # The index holds option positions; `<` still compares the text, as the expression does in Python.
    assert names('size < "20-99人"') == [n for n, s in sizes.items() if s is not None and s < "20-99人"]
    definition["forms"][0]["fields"][-1]["options"] = ["20-99人", "100-499人"]  # 1000人以上 removed
    definition["version"] = "1.0.1"
    keep = [{"form": "customer", "field": "size", "constraint": "options", "action": "new_only"}]
    r = make.client.put("/api/v1/apps/shop", json={"definition": definition, "decisions": keep}, headers=make.admin)
    assert r.status_code == 200, r.text  # the stored 1000人以上 stay (decided: the options hold for new values)
    make.record("customer", {"name": "客户新", "size": "20-99人"})
    # Stored values no longer among the options share one place in the order, not one value.
    assert names('size = "1000人以上"') == [n for n, s in sizes.items() if s == "1000人以上"]
    assert names('size = "火星"') == []
    assert "客户新" in names('size != "1000人以上"')
    assert _names(make, {"sort": "-size", "limit": 4})[:3] == [n for n, s in sizes.items() if s == "1000人以上"][::-1]
