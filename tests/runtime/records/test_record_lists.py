"""Lists: filters, sorts, keyset cursors, field projection, counts — and their errors."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import CHINESE_ORDER


def _seed(make: Any, count: int = 40) -> list[dict[str, Any]]:
    make.app_def()
    rng = random.Random(7)
    items = []
    for i in range(count):
        item: dict[str, Any] = {"name": f"客户{i:03d}", "region": rng.choice(["华东", "华南", "华北"])}
        if i % 5:  # every fifth customer has no amount: blanks must sort consistently
            item["amount"] = str(Decimal(rng.randint(0, 50)) * 1000 + Decimal("0.5"))
        items.append(item)
    r = make.client.post(make.url() + "/bulk", json={"items": items}, headers=make.admin)
    assert r.status_code == 201, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def _all_pages(make: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    items, cursor = [], None
    while True:
        r = make.client.get(make.url(), params={**params, **({"cursor": cursor} if cursor else {})}, headers=make.admin)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if not cursor:
            return items


def _expected_order(created: list[dict[str, Any]], descending: bool) -> list[int]:
    # Blank amounts sort below every amount; ties are broken by id in the same direction.
    def key(rec: dict[str, Any]) -> tuple[Any, ...]:
        amount = rec["data"].get("amount")
        return (amount is not None, Decimal(amount) if amount else Decimal(0), rec["id"])

    return [r["id"] for r in sorted(created, key=key, reverse=descending)]


@pytest.mark.parametrize("sort", ["amount", "-amount"], ids=["ascending", "descending"])
def test_keyset_pages_walk_every_record_once_in_sort_order_with_blanks(make: Any, sort: str) -> None:
    created = _seed(make)
    items = _all_pages(make, {"sort": sort, "limit": 7})
    assert [i["id"] for i in items] == _expected_order(created, sort.startswith("-"))


def test_equality_filter_plus_sort_pages_through_matches_only(make: Any) -> None:
    created = _seed(make)
    items = _all_pages(make, {"filter[region]": "华东", "sort": "-amount", "limit": 3})
    expected = _expected_order([c for c in created if c["data"]["region"] == "华东"], descending=True)
    assert [i["id"] for i in items] == expected


def test_default_order_is_newest_first(make: Any) -> None:
    created = _seed(make, 5)
    items = _all_pages(make, {"limit": 2})
    assert [i["id"] for i in items] == sorted((c["id"] for c in created), reverse=True)


@pytest.mark.parametrize(("params", "expected"), [
    ({"filter[amount][gt]": "30000"}, lambda d: d.get("amount") is not None and Decimal(d["amount"]) > 30000),
    ({"filter[amount][lte]": "10000.5"}, lambda d: d.get("amount") is not None and Decimal(d["amount"]) <= Decimal("10000.5")),
    ({"filter[amount][blank]": ""}, lambda d: "amount" not in d),
    ({"filter[amount][not_blank]": ""}, lambda d: "amount" in d),
    ({"filter[region][ne]": "华东"}, lambda d: d["region"] != "华东"),
    ({"filter[region][in]": "华东,华北"}, lambda d: d["region"] in ("华东", "华北")),
    ({"filter[name][contains]": "01"}, lambda d: "01" in d["name"]),
    ({"filter[name][starts_with]": "客户00"}, lambda d: d["name"].startswith("客户00")),
    ({"filter[region]": "华南", "filter[amount][gte]": "20000"},  # conditions combine with AND
     lambda d: d["region"] == "华南" and d.get("amount") is not None and Decimal(d["amount"]) >= 20000),
    # The sort key spells a blank note as '': equal to '' must still not match the blanks.
    ({"filter[note]": ""}, lambda d: d.get("note") == ""),
    ({"filter[amount]": "0"}, lambda d: d.get("amount") is not None and Decimal(d["amount"]) == 0),
], ids=["gt", "lte", "blank", "not_blank", "ne", "in", "contains", "starts_with", "and", "eq_empty", "eq_zero"])
def test_filter_operators(make: Any, params: dict[str, str], expected: Any) -> None:
    created = _seed(make)
    items = _all_pages(make, {**params, "limit": 500})
    assert sorted(i["id"] for i in items) == sorted(c["id"] for c in created if expected(c["data"]))


def test_filter_value_is_normalised_like_input(make: Any) -> None:
    _seed(make)
    make.record("customer", {"name": "特殊", "amount": "77777"})
    items = _all_pages(make, {"filter[amount]": "￥77,777.00"})
    assert [i["data"]["name"] for i in items] == ["特殊"]


def test_count_true_gives_the_exact_total_and_is_absent_otherwise(make: Any) -> None:
    created = _seed(make)
    r = make.client.get(make.url(), params={"count": "true", "limit": 1, "filter[region]": "华东"}, headers=make.admin)
    assert r.json()["total"] == sum(c["data"]["region"] == "华东" for c in created)
    assert "total" not in make.client.get(make.url(), headers=make.admin).json()


def test_fields_parameter_projects_the_data(make: Any) -> None:
    _seed(make, 3)
    items = make.client.get(make.url(), params={"fields": "name"}, headers=make.admin).json()["items"]
    assert all(set(i["data"]) == {"name"} for i in items)


def test_sort_by_system_column(make: Any) -> None:
    created = _seed(make, 6)
    items = _all_pages(make, {"sort": "created_at", "limit": 4})
    assert [i["id"] for i in items] == sorted(c["id"] for c in created)


@pytest.mark.parametrize(("params", "field"), [
    ({"filter[nope]": "1"}, "nope"),
    ({"sort": "nope"}, "nope"),
    ({"filter[amount][gt]": "abc"}, "amount"),
    ({"filter[region][contains]": "东"}, "region"),  # select fields take no text search
    ({"filter[region": "华东"}, "filter[region"),
    ({"cursor": "not-a-cursor"}, "cursor"),
    ({"fields": "name,nope"}, "nope"),
    ({"filter": "amount >"}, "filter"),  # a malformed expression
], ids=["unknown-filter-field", "unknown-sort", "bad-value", "bad-op", "bad-param", "bad-cursor", "bad-fields", "expr"])
def test_bad_list_parameters_get_400_naming_the_problem(make: Any, params: dict[str, str], field: str) -> None:
    _seed(make, 2)
    r = make.client.get(make.url(), params=params, headers=make.admin)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == field


def test_cursor_from_another_sort_is_refused(make: Any) -> None:
    _seed(make, 5)
    cursor = make.client.get(make.url(), params={"sort": "amount", "limit": 2}, headers=make.admin).json()["next_cursor"]
    r = make.client.get(make.url(), params={"sort": "-amount", "cursor": cursor}, headers=make.admin)
    assert r.status_code == 400


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_text_sorts_in_chinese_order_on_every_database_across_pages(make: Any, sort: str) -> None:
    make.app_def()
    shuffled = CHINESE_ORDER[:]
    random.Random(3).shuffle(shuffled)
    for name in shuffled:
        make.record("customer", {"name": name})
    make.record("product", {"title": "无名"})
    items = _all_pages(make, {"sort": sort, "limit": 4})
    expected = CHINESE_ORDER[::-1] if sort.startswith("-") else CHINESE_ORDER
    assert [i["data"]["name"] for i in items] == expected


@pytest.mark.parametrize("sort", ["note,-amount", "-note,amount"])
def test_pages_sorted_by_two_keys_in_opposite_directions_walk_every_record_once(make: Any, sort: str) -> None:
    """A cursor over keys in both directions (text in Chinese order first, with repeats and blanks in
    both): the condition written out per key prefix, on every database."""
    make.app_def()
    words = ["阿里巴巴", "北京华信有限公司", "张三"]  # in Chinese order
    rng = random.Random(11)
    created = []
    for i in range(30):
        data: dict[str, Any] = {"name": f"客户{i:03d}"}
        if i % 6:
            data["note"] = rng.choice(words)
        if i % 4:
            data["amount"] = str(rng.choice([100, 200, 300]))
        created.append(make.record("customer", data))
    note_first_descending = sort.startswith("-")

    def key(rec: dict[str, Any]) -> tuple[Any, ...]:  # blanks below every value; ties by id, as the last key
        note = words.index(rec["data"]["note"]) if "note" in rec["data"] else -1
        amount = Decimal(rec["data"].get("amount", "-Infinity"))
        if note_first_descending:
            return (-note, amount, rec["id"])
        return (note, -amount, -rec["id"])

    items = _all_pages(make, {"sort": sort, "limit": 4})
    assert [i["id"] for i in items] == [c["id"] for c in sorted(created, key=key)]


def test_texts_one_letter_case_apart_sort_together_yet_stay_distinct(make: Any) -> None:
    make.app_def()
    for name in ["Apple", "李四", "apple", "Banana", "Ａpple", "阿里"]:
        make.record("customer", {"name": name})
    names = [i["data"]["name"] for i in _all_pages(make, {"sort": "name", "limit": 2})]
    assert names[:2] == ["阿里", "李四"] and set(names[2:5]) == {"Apple", "apple", "Ａpple"} and names[5] == "Banana"
    # Equal in order, not in value: equality and uniqueness still tell them apart.
    r = make.client.get(make.url(), params={"filter[name]": "apple"}, headers=make.admin)
    assert [i["data"]["name"] for i in r.json()["items"]] == ["apple"]
    r = make.client.post(make.url(), json={"data": {"name": "apple"}}, headers=make.admin)
    assert r.status_code == 409 and r.json()["error"]["details"][0]["path"] == "name", r.text


@pytest.mark.parametrize(("op", "value", "expected"), [
    ("gt", "李四", CHINESE_ORDER[6:]),
    ("lte", "李四", CHINESE_ORDER[:6]),
    ("contains", "重", ["重庆火锅", "重量级"]),
    ("starts_with", "apple", ["apple"]),
])
def test_text_filters_compare_in_the_same_order(make: Any, op: str, value: str, expected: list[str]) -> None:
    make.app_def()
    for name in CHINESE_ORDER:
        make.record("customer", {"name": name})
    items = _all_pages(make, {f"filter[name][{op}]": value, "sort": "name", "limit": 5})
    assert [i["data"]["name"] for i in items] == expected


