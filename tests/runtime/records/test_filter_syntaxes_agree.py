"""`filter[f][op]=v` and `filter=<expression>` mean the same for every operator both have: the bracket
form compares through the expression compiler, and `ne` / `!=` keep the records where f is blank."""

from __future__ import annotations

from typing import Any

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


# Every field type, every operator it takes: the bracket form gives the records the expression gives
# and the records named here (what the operator means, blanks included).
EVERY = {
    "format": "tangram/app@1", "key": "every", "name": "各类字段", "version": "1.0.0",
    "forms": [
        {"key": "vendor", "name": "供应商", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "名称"}]},
        {"key": "item", "name": "物品", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "名称", "required": True},
            {"key": "memo", "type": "textarea", "label": "备注"},
            {"key": "qty", "type": "number", "label": "数量"},
            {"key": "price", "type": "money", "label": "价格"},
            {"key": "rate", "type": "percent", "label": "比例"},
            {"key": "due", "type": "date", "label": "到期"},
            {"key": "seen_at", "type": "datetime", "label": "看到"},
            {"key": "done", "type": "boolean", "label": "完成"},
            {"key": "kind", "type": "select", "label": "类别", "options": ["乙", "甲", "丙"]},
            {"key": "tags", "type": "multi_select", "label": "标签", "options": ["红", "绿", "蓝"]},
            {"key": "trade", "type": "cascade", "label": "行业", "options": [
                {"value": "制造业", "children": ["汽车", "电子"]}, {"value": "零售", "children": ["批发"]}]},
            {"key": "place", "type": "address", "label": "地址"},
            {"key": "phone", "type": "phone", "label": "电话"},
            {"key": "mail", "type": "email", "label": "邮箱"},
            {"key": "site", "type": "url", "label": "网址"},
            {"key": "keeper", "type": "user", "label": "负责人"},
            {"key": "crew", "type": "users", "label": "成员"},
            {"key": "code", "type": "auto_number", "label": "编号", "pattern": "W-{seq:3}"},
            {"key": "vendor", "type": "relation", "label": "供应商", "target": "vendor"},
            {"key": "vendors", "type": "relation", "label": "备选供应商", "target": "vendor", "multiple": True},
            {"key": "lines", "type": "sub_table", "label": "明细", "fields": [
                {"key": "part", "type": "text", "label": "零件"}]},
        ]},
    ],
}
ITEMS = [  # (name, data): each field blank in some records; relations filled in by the test ("@1" → vendor 1)
    ("一号", {"memo": "Alpha 备注", "qty": "3", "price": "10.50", "rate": "12.5", "due": "2026-01-31",
             "seen_at": "2026-01-31T08:00:00Z", "done": True, "kind": "甲", "tags": ["红", "蓝"],
             "trade": ["制造业", "汽车"], "place": "广东省深圳市南山区科技园", "phone": "13800138000",
             "mail": "a@example.com", "site": "https://a.example.com", "keeper": "wang", "crew": ["wang", "li"],
             "vendor": "@1", "vendors": ["@1", "@2"], "lines": [{"part": "螺丝"}]}),
    ("二号", {"memo": "beta", "qty": "-1", "price": "0", "rate": "0", "due": "2024-02-29",
             "seen_at": "2025-06-01T00:00:00Z", "done": False, "kind": "乙", "tags": ["绿"],
             "trade": ["零售", "批发"], "place": "北京市朝阳区建国路", "phone": "13900139000",
             "mail": "b@example.com", "keeper": "li", "crew": ["li"], "vendor": "@2", "vendors": ["@2"]}),
    ("三号", {"qty": "100", "kind": "丙", "tags": ["红"], "keeper": "wang", "vendor": "@1"}),
    ("四号", {}),  # blank everywhere but its name (and its auto number)
]
U, ALL = "四号", ["一号", "二号", "三号", "四号"]
BRACKET = [  # (field, op, value, the expression, the records)
    ("name", "eq", "一号", 'name = "一号"', ["一号"]),
    ("name", "ne", "一号", 'name != "一号"', ["二号", "三号", "四号"]),
    ("name", "in", "一号,三号", 'name IN ["一号", "三号"]', ["一号", "三号"]),
    ("name", "gt", "三号", 'name > "三号"', ["一号", "四号"]),  # Chinese order: 二 èr, 三 sān, 四 sì, 一 yī
    ("name", "starts_with", "二", 'STARTSWITH(name, "二")', ["二号"]),
    ("memo", "contains", "Alpha", 'CONTAINS(memo, "Alpha")', ["一号"]),
    # the list's text filter ignores the case of ASCII letters, as `q=` does (CONTAINS counts it: no twin)
    ("memo", "contains", "alpha", None, ["一号"]),
    ("memo", "contains", "ALPHA 备", None, ["一号"]),
    ("memo", "starts_with", "be", 'STARTSWITH(memo, "be")', ["二号"]),
    ("memo", "starts_with", "BE", None, ["二号"]),
    ("memo", "starts_with", "备注", None, []),  # starts with, not contains
    ("memo", "blank", "", "ISBLANK(memo)", ["三号", U]),
    ("memo", "not_blank", "", "NOT ISBLANK(memo)", ["一号", "二号"]),
    ("memo", "ne", "beta", 'memo != "beta"', ["一号", "三号", U]),  # blanks kept
    ("qty", "eq", "3", "qty = 3", ["一号"]),
    ("qty", "ne", "3", "qty != 3", ["二号", "三号", U]),
    ("qty", "lt", "3", "qty < 3", ["二号"]),  # a blank is neither below nor above
    ("qty", "lte", "3", "qty <= 3", ["一号", "二号"]),
    ("qty", "gt", "-1", "qty > -1", ["一号", "三号"]),
    ("qty", "gte", "3", "qty >= 3", ["一号", "三号"]),
    ("qty", "in", "3,100", "qty IN [3, 100]", ["一号", "三号"]),
    ("qty", "blank", "", "ISBLANK(qty)", [U]),
    ("price", "eq", "0", "price = 0", ["二号"]),
    ("price", "gt", "￥10.00", "price > 10", ["一号"]),  # normalised like input
    ("price", "not_blank", "", "NOT ISBLANK(price)", ["一号", "二号"]),
    ("rate", "gte", "0", "rate >= 0", ["一号", "二号"]),
    ("due", "eq", "2026-01-31", None, ["一号"]),
    ("due", "lt", "2025-01-01", None, ["二号"]),
    ("due", "ne", "2026-01-31", None, ["二号", "三号", U]),
    ("due", "blank", "", "ISBLANK(due)", ["三号", U]),
    ("seen_at", "gt", "2025-12-31T00:00:00Z", None, ["一号"]),
    ("seen_at", "in", "2025-06-01T08:00:00+08:00", None, ["二号"]),  # the same moment, in another zone
    ("seen_at", "not_blank", "", "NOT ISBLANK(seen_at)", ["一号", "二号"]),
    ("done", "eq", "true", "done = TRUE", ["一号"]),
    ("done", "eq", "false", "done = FALSE", ["二号"]),
    ("done", "blank", "", "ISBLANK(done)", ["三号", U]),
    ("kind", "eq", "甲", 'kind = "甲"', ["一号"]),
    ("kind", "ne", "甲", 'kind != "甲"', ["二号", "三号", U]),
    ("kind", "in", "乙,丙", 'kind IN ["乙", "丙"]', ["二号", "三号"]),
    ("kind", "blank", "", "ISBLANK(kind)", [U]),
    ("tags", "has", "红", 'COUNTIF(tags, "红") > 0', ["一号", "三号"]),
    ("tags", "blank", "", "ISBLANK(tags)", [U]),
    ("tags", "not_blank", "", "NOT ISBLANK(tags)", ["一号", "二号", "三号"]),
    ("trade", "has", "零售", 'COUNTIF(trade, "零售") > 0', ["二号"]),
    ("trade", "blank", "", "ISBLANK(trade)", ["三号", U]),
    ("place", "has", "北京市", None, ["二号"]),  # addresses are no values of expressions
    ("place", "blank", "", None, ["三号", U]),
    ("place", "not_blank", "", None, ["一号", "二号"]),
    ("phone", "eq", "+86 138-0013-8000", 'phone = "13800138000"', ["一号"]),
    ("phone", "contains", "0139", 'CONTAINS(phone, "0139")', ["二号"]),
    ("phone", "blank", "", "ISBLANK(phone)", ["三号", U]),
    ("mail", "ne", "a@example.com", 'mail != "a@example.com"', ["二号", "三号", U]),
    ("mail", "starts_with", "b@", 'STARTSWITH(mail, "b@")', ["二号"]),
    ("site", "contains", "a.example", 'CONTAINS(site, "a.example")', ["一号"]),
    ("site", "blank", "", "ISBLANK(site)", ["二号", "三号", U]),
    ("keeper", "eq", "wang", 'keeper = "wang"', ["一号", "三号"]),
    ("keeper", "ne", "wang", 'keeper != "wang"', ["二号", U]),
    ("keeper", "in", "li", 'keeper IN ["li"]', ["二号"]),
    ("keeper", "blank", "", "ISBLANK(keeper)", [U]),
    ("crew", "has", "li", 'COUNTIF(crew, "li") > 0', ["一号", "二号"]),
    ("crew", "blank", "", "ISBLANK(crew)", ["三号", U]),
    ("code", "eq", "W-002", 'code = "W-002"', ["二号"]),
    ("code", "gt", "W-002", 'code > "W-002"', ["三号", U]),
    ("code", "contains", "W-00", 'CONTAINS(code, "W-00")', ALL),
    ("vendor", "eq", "@1", "vendor = @1", ["一号", "三号"]),
    ("vendor", "ne", "@1", "vendor != @1", ["二号", U]),
    ("vendor", "in", "@1,@2", "vendor IN [@1, @2]", ["一号", "二号", "三号"]),
    ("vendor", "blank", "", "ISBLANK(vendor)", [U]),
    ("vendors", "has", "@2", "COUNTIF(vendors, @2) > 0", ["一号", "二号"]),
    ("vendors", "not_blank", "", "NOT ISBLANK(vendors)", ["一号", "二号"]),
    ("lines", "blank", "", None, ["二号", "三号", U]),
    ("lines", "not_blank", "", None, ["一号"]),
    ("owner", "eq", "admin", 'owner = "admin"', ALL),  # system columns work like fields
    ("id", "lte", "@first", "id <= @first", ["一号"]),
]


@pytest.fixture
def every(make: Maker) -> dict[str, int]:
    """The app, the users and vendors the items name, the items; the vendors' ids as "@1", "@2"."""
    make.app_def(EVERY)
    make.user("wang", admin=False)
    make.user("li", admin=False)
    ids = {f"@{i}": make.record("vendor", {"title": f"供应商{i}"}, app="every")["id"] for i in (1, 2)}

    def filled(value: Any) -> Any:
        if isinstance(value, list):
            return [filled(v) for v in value]
        return ids.get(value, value) if isinstance(value, str) else value

    for number, (name, data) in enumerate(ITEMS):
        made = make.record("item", {"name": name, **{k: filled(v) for k, v in data.items()}}, app="every")
        if number == 0:
            ids["@first"] = made["id"]
    return ids


def _named(make: Maker, params: dict[str, str]) -> list[str]:
    r = make.client.get(make.url("item", "every"), params={**params, "limit": "500"}, headers=make.admin)
    assert r.status_code == 200, r.text
    return sorted(i["data"]["name"] for i in r.json()["items"])


FIELDS = list(dict.fromkeys(c[0] for c in BRACKET))


@pytest.mark.parametrize("key", FIELDS, ids=FIELDS)  # one database per field, its operators in turn
def test_every_operator_on_every_field_type_selects_what_it_means_in_both_syntaxes(
        make: Maker, every: dict[str, int], key: str) -> None:
    def spelled(text: str) -> str:
        for name, record_id in sorted(every.items(), key=lambda kv: -len(kv[0])):
            text = text.replace(name, str(record_id))
        return text

    wrong = []
    for _, op, value, expression, expected in (c for c in BRACKET if c[0] == key):
        bracket = _named(make, {f"filter[{key}][{op}]": spelled(value)})
        if bracket != sorted(expected):
            wrong.append(f"filter[{key}][{op}]={value}: {bracket}, not {sorted(expected)}")
        if expression is not None and _named(make, {"filter": spelled(expression)}) != bracket:
            wrong.append(f"filter={expression} disagrees with filter[{key}][{op}]={value}")
    assert wrong == []


@pytest.mark.parametrize(("param", "value", "words"), [
    ("filter[nope][eq]", "1", "nope"),
    ("filter[qty][contains]", "1", "contains"),
    ("filter[qty][gt]", "many", "qty"),
    ("filter[tags][eq]", "红", "eq"),
    ("filter[due][lt]", "2026-13-01", "due"),
], ids=["unknown-field", "unknown-operator", "bad-number", "list-has-no-eq", "bad-date"])
def test_a_bad_bracket_filter_is_a_400_naming_the_field(make: Maker, every: dict[str, int], param: str, value: str,
                                                       words: str) -> None:
    r = make.client.get(make.url("item", "every"), params={param: value}, headers={**make.admin,
                                                                                  "Accept-Language": "en"})
    assert r.status_code == 400, r.text
    field = param.split("[")[1].rstrip("]")
    assert r.json()["error"]["field"] == field and words in r.json()["error"]["message"], r.text
