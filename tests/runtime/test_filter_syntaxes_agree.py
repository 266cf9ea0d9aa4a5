"""`filter[f][op]=v` and `filter=<expression>` mean the same for every operator both have: the bracket
form compares through the expression compiler, and `ne` / `!=` keep the records where f is blank."""

from __future__ import annotations

import pytest

from tests.expression_strategies import ROWS
from tests.factories import Maker, shop

CASES = [  # (field, bracket operator, value, the same as an expression)
    ("region", "eq", "华东", 'region = "华东"'),
    ("region", "ne", "华东", 'region != "华东"'),  # Ｅ公司 has no region: kept by both
    ("region", "in", "华东,华北", 'region IN ["华东", "华北"]'),
    ("region", "blank", "", "ISBLANK(region)"),
    ("region", "not_blank", "", "NOT ISBLANK(region)"),
    ("amount", "ne", "0.10", "amount != 0.10"),  # 丙公司 has no amount
    ("amount", "lt", "200000", "amount < 200000"),
    ("amount", "lte", "0.10", "amount <= 0.10"),
    ("amount", "gt", "120000.50", "amount > 120000.50"),
    ("amount", "gte", "120000.50", "amount >= 120000.50"),
    ("note", "ne", "新", 'note != "新"'),
    ("note", "eq", "老客户", 'note = "老客户"'),
    ("name", "ne", "甲公司", 'name != "甲公司"'),
]


def _names(make: Maker, params: dict[str, str]) -> list[str]:
    r = make.client.get(make.url(), params={**params, "sort": "id", "limit": "500"}, headers=make.admin)
    assert r.status_code == 200, r.text
    return [i["data"]["name"] for i in r.json()["items"]]


@pytest.mark.parametrize(("key", "op", "value", "expression"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_the_bracket_filter_and_the_expression_select_the_same_records(make: Maker, key: str, op: str, value: str,
                                                                      expression: str) -> None:
    make.app_def(shop())
    for row in ROWS:
        make.record("customer", row)
    bracket = _names(make, {f"filter[{key}][{op}]": value})
    assert bracket == _names(make, {"filter": expression})
    if op == "ne" and any(key not in r for r in ROWS):  # the blanks are among them: "is not 华东" keeps the customers with no region
        assert any(key not in r for r in ROWS if r["name"] in bracket)


def test_ne_keeps_blanks_and_eq_with_ne_cover_every_record_once(make: Maker) -> None:
    make.app_def(shop())
    for row in ROWS:
        make.record("customer", row)
    equal = _names(make, {"filter[region]": "华东"})
    other = _names(make, {"filter[region][ne]": "华东"})
    assert sorted(equal + other) == sorted(r["name"] for r in ROWS)


@pytest.mark.parametrize(("op", "symbol"), [("lt", "<"), ("lte", "<="), ("gt", ">"), ("gte", ">=")])
def test_ordering_text_an_index_keeps_by_code_point_agrees_in_both_syntaxes(make: Maker, op: str,
                                                                          symbol: str) -> None:
    """Auto numbers and the owner are text an index keeps in code-point order: the bracket form orders them
    in Chinese order like every text (it answered nothing when the two changes met)."""
    definition = shop()
    definition["forms"][0]["fields"].append({"key": "code", "type": "auto_number", "label": "编号",
                                             "pattern": "KH-{seq:4}"})
    make.app_def(definition)
    for name in ("甲", "乙", "丙", "丁"):
        make.record("customer", {"name": name})
    for key, value in (("code", "KH-0002"), ("owner", "b" if op in ("lt", "lte") else "a")):  # all by admin
        bracket = _names(make, {f"filter[{key}][{op}]": value})
        assert bracket == _names(make, {"filter": f'{key} {symbol} "{value}"'})
        assert bracket  # each comparison selects someone
