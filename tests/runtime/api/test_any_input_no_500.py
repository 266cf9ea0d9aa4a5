"""No input answers 500: every registered field type takes arbitrary JSON through the records API and
answers with a stored value or a 422 naming the field; a drill point, filters and sorts nested beyond
reason are a 4xx. Issue 21, item 7."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.forms.fields import field_types
from tests.factories import Maker, shop

REPORT = {"key": "board", "name": "看板", "widgets": [
    {"key": "by_level", "type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
     "measures": [{"agg": "count"}]}]}

# One field of every registered type (a contract: a new type without an entry here fails the suite).
FIELDS: dict[str, dict[str, Any]] = {
    "text": {}, "textarea": {}, "number": {}, "money": {}, "percent": {}, "date": {}, "datetime": {},
    "boolean": {}, "rating": {"max": 10}, "select": {"options": ["甲", "乙"]}, "multi_select": {"options": ["甲", "乙", "丙"]},
    "cascade": {"options": [{"value": "制造业", "children": ["汽车"]}, "金融"]}, "address": {}, "phone": {},
    "email": {}, "url": {}, "user": {}, "users": {}, "department": {}, "relation": {"target": "target"},
    "auto_number": {"pattern": "N-{seq:4}"}, "attachment": {}, "formula": {"formula": "1 + 1"},
    "lookup": {"relation": "f_relation", "field": "title"},
    "rollup": {"source": {"form": "target", "field": "back"}, "agg": "count"},
    "sub_table": {"fields": [{"key": "part", "type": "text", "label": "配件"},
                             {"key": "qty", "type": "number", "label": "数量"},
                             {"key": "price", "type": "money", "label": "单价"},
                             {"key": "tags", "type": "multi_select", "label": "标签", "options": ["甲", "乙"]}]},
}
TYPES = field_types.keys()


def every_type_app() -> dict[str, Any]:
    fields = [{"key": f"f_{t}", "type": t, "label": t, **FIELDS[t]} for t in TYPES]
    target = {"key": "target", "name": "目标", "title_field": "title", "fields": [
        {"key": "title", "type": "text", "label": "标题"},
        {"key": "back", "type": "relation", "label": "反向", "target": "every"}]}
    return {"format": "tangram/app@1", "key": "types", "name": "全部类型", "version": "1.0.0",
            "forms": [{"key": "every", "name": "全部", "fields": fields}, target]}


def test_every_registered_type_is_in_the_app() -> None:
    assert set(FIELDS) == set(TYPES)


NASTY_STRINGS = ["1e999999999", "-1e999999999", "1e-999999999", "-1e-999999", "9" * 400, "0." + "0" * 400 + "1",
                 "NaN", "nan", "-nan", "sNaN", "Infinity", "-Infinity", "inf", "INF", "1E+9999", "\ud800x", "x\udfff",
                 "\ud83d", "😀\ud800", "", " ", "\x00", "1,2,3", "[]", "{}", "2026-02-30", "9999-12-31T23:59:59Z",
                 "0000-01-01", "99999-01-01", "1" * 5000, "是", "甲，乙", "甲" * 3000]
SCALARS = (st.none() | st.booleans() | st.integers(-(2**80), 2**80) | st.sampled_from([2**64, -(2**63) - 1, 10**300])
           | st.floats() | st.sampled_from(NASTY_STRINGS) | st.text(max_size=20))


def _nested(depth: int) -> Any:
    value: Any = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"part": value}
    return value


NASTY_VALUES = [float("nan"), float("inf"), -float("inf"), 1e308, 5e-324, -0.0, 2**64, -(2**63) - 1, 10**300,
                ["\ud800"], {"id": "\udc00"}, [{"part": "\ud800", "qty": "1e999999999"}], _nested(50), _nested(500),
                ["甲"] * 1000, [{"part": "x"}] * 2000, {"k" * 1000: 1}, True, 0, {}, []]
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["id", "part", "qty", "price", "tags", "name", "size", "province", "city", "x"]) | st.text(max_size=4),
    inner, max_size=4), max_leaves=8) | st.sampled_from([_nested(50), _nested(500), [["x"] * 3] * 3])
EXAMPLES = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _post(make: Maker, data: dict[str, Any]) -> Any:
    # json.dumps writes lone surrogates as \ud800 escapes and floats as NaN / Infinity, as a client might
    body = json.dumps({"data": data})
    return make.client.post(make.url("every", "types"), content=body.encode(),
                            headers={**make.admin, "Content-Type": "application/json"})


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_any_json_for_a_field_of_each_type_is_stored_or_a_422_naming_it(make: Maker, type_name: str) -> None:
    make.app_def(every_type_app())
    key = f"f_{type_name}"

    def check(value: Any) -> None:
        r = _post(make, {key: value})
        assert r.status_code in (201, 422), r.text
        if r.status_code == 422:
            paths = [d["path"] for d in r.json()["error"]["details"]]
            assert paths and all(p == key or p.startswith((f"{key}[", f"{key}.")) for p in paths), r.text
        else:
            stored = r.json()["data"].get(key)
            got = make.client.get(f"{make.url('every', 'types')}/{r.json()['id']}", headers=make.admin)
            assert got.status_code == 200 and got.json()["data"].get(key) == stored

    for value in [*NASTY_STRINGS, *NASTY_VALUES]:  # the known troublemakers each time, then hypothesis's
        check(value)
    EXAMPLES(given(value=VALUES)(check))()


def test_a_money_amount_with_a_huge_exponent_is_a_422_naming_the_field(make: Maker) -> None:
    make.app_def()
    for amount in ("1e999999999", "-2E+100000", "5e-99999999"):
        r = make.client.post(make.url(), json={"data": {"name": "甲", "amount": amount}}, headers=make.admin)
        assert r.status_code == 422, r.text
        assert [d["path"] for d in r.json()["error"]["details"]] == ["amount"]


def test_a_lone_surrogate_in_text_is_a_422_naming_the_field_and_stores_nothing(make: Maker) -> None:
    make.app_def()
    for text in ("\ud800x", "ab\udc00", "\udbff"):
        body = json.dumps({"data": {"name": "乙", "note": text}}).encode()
        r = make.client.post(make.url(), content=body, headers={**make.admin, "Content-Type": "application/json"})
        assert r.status_code == 422, r.text
        assert [d["path"] for d in r.json()["error"]["details"]] == ["note"]
    assert make.client.get(make.url(), headers=make.admin).json()["items"] == []


def test_a_surrogate_pair_is_an_ordinary_character(make: Maker) -> None:
    make.app_def()
    body = json.dumps({"data": {"name": "笑 😀"}}).encode()  # sent as the escapes \ud83d\ude00
    r = make.client.post(make.url(), content=body, headers={**make.admin, "Content-Type": "application/json"})
    assert r.status_code == 201 and r.json()["data"]["name"] == "笑 😀"


def test_a_lone_surrogate_elsewhere_in_a_body_is_a_4xx(make: Maker) -> None:
    body = json.dumps({**shop(key="odd", name="\ud800名")}).encode()
    r = make.client.post("/api/v1/apps", content=body, headers={**make.admin, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text


@pytest.mark.parametrize("point", ["[" * 10000 + "]" * 10000, "[" * 10000, "[[[[[\"A\"]]]]]", "[{\"a\": [1]}]"],
                         ids=["10000-nested", "10000-open", "nested-list", "object"])
def test_a_drill_point_nested_beyond_a_list_of_values_is_a_400_naming_point(make: Maker, point: str) -> None:
    make.app_def(shop(reports=[REPORT]))
    r = make.client.get("/api/v1/apps/shop/reports/board/widgets/by_level/drill", params={"point": point},
                        headers=make.admin)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["field"] == "point"


@pytest.mark.parametrize("params", [
    {"filter": "(" * 5000 + "1" + ")" * 5000},
    {"filter": "NOT " * 3000 + "TRUE"},
    {"filter": "-" * 3000 + "amount > 1"},
    {"filter[name]": "[" * 10000},
    {"sort": ",".join(["name"] * 5000)},
    {"sort": "-" * 10000 + "name"},
], ids=["parentheses", "nots", "minuses", "filter-brackets", "sort-repeated", "sort-dashes"])
def test_deeply_nested_filters_and_sorts_are_a_4xx(make: Maker, params: dict[str, str]) -> None:
    make.app_def()
    make.record("customer", {"name": "甲"})
    r = make.client.get(make.url(), params=params, headers=make.admin)
    assert 400 <= r.status_code < 500, r.text


def test_a_body_nested_deeper_than_the_json_parser_goes_is_a_4xx(make: Maker) -> None:
    make.app_def()
    body = '{"data": {"name": ' + "[" * 100000 + "]" * 100000 + "}}"
    r = make.client.post(make.url(), content=body.encode(), headers={**make.admin, "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
