"""The company-name normaliser and the duplicate matcher, on real-looking names: one company written in
different ways, different companies that look alike, and branches (related, not the same)."""

from __future__ import annotations

import pytest

from engine.dedup.company import CompanyName, parse_company
from engine.dedup.groups import Group, group, linked_groups, regional_blocks
from engine.dedup.match import blocking_keys, find, is_whole_key, may_match, record_keys, same_company
from engine.dedup.model import DuplicateField, DuplicateRule, rule_issues

HENGRUI = "苏州恒瑞精密机械有限公司"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (HENGRUI, CompanyName("恒瑞精密机械", "苏州")),
        ("恒瑞精密机械(苏州)有限公司", CompanyName("恒瑞精密机械", "苏州")),
        ("恒瑞精密机械（苏州）有限公司", CompanyName("恒瑞精密机械", "苏州")),  # full-width brackets
        ("江苏省苏州市恒瑞精密机械有限公司", CompanyName("恒瑞精密机械", "苏州")),  # province and city: the narrowest
        (" 苏州 恒瑞精密机械 有限责任公司 ", CompanyName("恒瑞精密机械", "苏州")),
        ("恒瑞精密机械集团股份有限公司", CompanyName("恒瑞精密机械")),
        ("华为技术(中国)有限公司", CompanyName("华为技术")),  # (中国) names no city
        ("ＡＢＣ 科技有限公司", CompanyName("abc科技")),  # full-width letters
        ("上海银行股份有限公司", CompanyName("银行", "上海")),  # the region stays a region: 银行 alone is no name
        (f"{HENGRUI}上海分公司", CompanyName("恒瑞精密机械", "苏州", "上海")),
        (f"{HENGRUI}（上海分公司）", CompanyName("恒瑞精密机械", "苏州", "上海")),
        ("招商银行股份有限公司深圳分行", CompanyName("招商银行", None, "深圳")),
        ("恒瑞精密机械有限公司第一分公司", CompanyName("恒瑞精密机械", None, "第一")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_company_name_is_taken_apart_into_core_region_and_branch(name: str, expected: CompanyName) -> None:
    assert parse_company(name) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (HENGRUI, "恒瑞精密机械(苏州)有限公司"),
        (HENGRUI, "恒瑞精密机械（苏州）有限公司"),
        (HENGRUI, "江苏省苏州市恒瑞精密机械股份有限公司"),
        (HENGRUI, "恒瑞精密机械有限公司"),  # no region said: likely the same
        ("华为技术有限公司", "华为技术(中国)有限公司"),
        ("北京字节跳动科技有限公司", "北京字节跳动科技有限责任公司"),
        ("深圳市大疆创新科技有限公司", "大疆创新科技(深圳)有限公司"),
        ("杭州海康威视数字技术股份有限公司", "杭州海康威视数字技术有限公司"),
    ],
    ids=lambda v: v,
)
def test_the_same_company_written_differently_is_a_duplicate(a: str, b: str) -> None:
    found = same_company(a, b)
    assert found is not None and found.relation == "duplicate"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海银行股份有限公司", "北京银行股份有限公司"),  # same core, different cities
        (HENGRUI, "无锡恒瑞精密机械有限公司"),
        (HENGRUI, "苏州恒瑞精密模具有限公司"),  # the same brand, another trade
        ("中国平安保险(集团)股份有限公司", "中国平安财产保险股份有限公司"),
        ("深圳市腾讯计算机系统有限公司", "腾讯科技(深圳)有限公司"),  # one group, two companies
        ("苏州科达科技股份有限公司", "苏州科沃斯机器人股份有限公司"),
    ],
    ids=lambda v: v,
)
def test_different_companies_that_look_alike_are_not_duplicates(a: str, b: str) -> None:
    assert same_company(a, b) is None


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (HENGRUI, f"{HENGRUI}上海分公司"),
        ("恒瑞精密机械(苏州)有限公司", f"{HENGRUI}上海分公司"),
        (f"{HENGRUI}北京分公司", f"{HENGRUI}上海分公司"),
        ("招商银行股份有限公司", "招商银行深圳分行"),
    ],
    ids=lambda v: v,
)
def test_a_branch_is_related_but_not_the_same(a: str, b: str) -> None:
    found = same_company(a, b)
    assert found is not None and found.relation == "branch"


PEOPLE = DuplicateRule(
    key="same_person", name="姓名和手机相同", fields=[DuplicateField(field="name"), DuplicateField(field="mobile")]
)
CREDIT = DuplicateRule(
    key="credit", name="统一社会信用代码相同", fields=[DuplicateField(field="credit_code")], action="block"
)
NAMES = DuplicateRule(key="name", name="名称相近", fields=[DuplicateField(field="name", match="company")])


def test_people_match_on_name_and_mobile_together() -> None:
    stored = {
        1: {"name": "张伟", "mobile": "13800138000"},
        2: {"name": "张伟", "mobile": "13900139000"},
        3: {"name": "王芳", "mobile": "13800138000"},
    }
    assert [m.record_id for m in find([PEOPLE], {"name": " 张伟", "mobile": "13800138000"}, stored)] == [1]


def test_an_exact_key_matches_whatever_the_width_and_case() -> None:
    stored = {7: {"credit_code": "91320594MA1XXXXX0P"}}
    [found] = find([CREDIT], {"credit_code": "９１３２０５９４ma1xxxxx0p"}, stored)
    assert (found.record_id, found.rule, found.score) == (7, "credit", 100)


def test_an_empty_value_matches_nothing_and_files_no_key() -> None:
    assert blocking_keys("crm/customer", CREDIT, {"credit_code": ""}) == []
    assert find([CREDIT], {"credit_code": None}, {1: {"credit_code": None}}) == []


def _keys(scope: str, name: str) -> set[str]:
    return {key for key, _value in record_keys(scope, [NAMES], {"name": name})}


def test_names_written_differently_share_a_blocking_key() -> None:
    one, other = _keys("crm/customer", HENGRUI), _keys("crm/customer", "恒瑞精密机械（苏州）有限公司")
    assert one == other and one & _keys("crm/customer", "苏州恒瑞精蜜机械有限公司")  # a typo: the start still meets
    assert not one & _keys("crm/contact", HENGRUI)  # keys are per form
    assert {value for _key, value in record_keys("crm/customer", [NAMES], {"name": HENGRUI})} == {"苏州|恒瑞精密机械"}


def test_a_filed_company_of_another_region_is_set_aside_before_its_record_is_read() -> None:
    [(_key, suzhou)] = record_keys("crm/customer", [NAMES], {"name": HENGRUI})[:1]
    [(_key, wuxi)] = record_keys("crm/customer", [NAMES], {"name": "无锡恒瑞精密机械有限公司"})[:1]
    [(_key, unsaid)] = record_keys("crm/customer", [NAMES], {"name": "恒瑞精密机械有限公司"})[:1]
    assert not may_match(NAMES, suzhou, wuxi)
    assert may_match(NAMES, suzhou, unsaid) and may_match(NAMES, unsaid, wuxi)


def test_duplicates_come_before_branches_and_each_record_once() -> None:
    stored = {1: {"name": f"{HENGRUI}上海分公司"}, 2: {"name": "恒瑞精密机械(苏州)有限公司"}, 3: {"name": "无关公司"}}
    found = find([NAMES, NAMES.model_copy(update={"key": "again"})], {"name": HENGRUI}, stored)
    assert [(m.record_id, m.relation) for m in found] == [(2, "duplicate"), (1, "branch")]


def test_a_rule_naming_an_unknown_or_uncomparable_field_is_reported() -> None:
    rules = [DuplicateRule(key="r", name="r", fields=[DuplicateField(field="nope"), DuplicateField(field="lines")])]
    issues = rule_issues(rules, {"lines": "sub_table"})
    assert [(i.path, i.code) for i in issues] == [
        ("duplicate_rules[0].fields[0].field", "unknown_field"),
        ("duplicate_rules[0].fields[1].field", "not_comparable"),
    ]


def test_an_encrypted_field_cannot_be_compared() -> None:
    rules = [DuplicateRule(key="r", name="r", fields=[DuplicateField(field="id_card")])]
    [issue] = rule_issues(rules, {"id_card": "text"}, frozenset({"id_card"}))
    assert (issue.path, issue.code) == ("duplicate_rules[0].fields[0].field", "encrypted_field")


def test_a_whole_key_is_told_from_an_edge_by_its_filed_value() -> None:
    rule = DuplicateRule(key="co", name="公司", fields=[DuplicateField(field="name", match="company")])
    code = DuplicateRule(key="code", name="代码", fields=[DuplicateField(field="code")])
    whole, *edges = blocking_keys("a/f", rule, {"name": "苏州恒瑞精密机械有限公司"})
    assert is_whole_key("a/f", [code, rule], *whole)
    assert edges and not any(is_whole_key("a/f", [code, rule], *edge) for edge in edges)
    [exact] = blocking_keys("a/f", code, {"code": "X1"})
    assert is_whole_key("a/f", [code, rule], *exact)


def test_groups_join_records_linked_by_any_rule_and_leave_branches_out() -> None:
    name = DuplicateRule(key="co", name="公司", fields=[DuplicateField(field="name", match="company")])
    code = DuplicateRule(key="code", name="代码", fields=[DuplicateField(field="code")])
    datas = {
        1: {"name": "苏州恒瑞精密机械有限公司"},
        2: {"name": "恒瑞精密机械(苏州)有限公司", "code": "X"},
        3: {"name": "另一个名字", "code": "x"},
        4: {"name": "苏州恒瑞精密机械有限公司上海分公司"},
        5: {"name": "成都天府软件有限公司"},
    }
    found = group([name, code], [[1, 2, 4], [2, 3], [5]], datas)
    assert found == [Group((1, 2, 3), ("co", "code"))]


def test_records_in_different_blocks_are_never_compared() -> None:
    rule = DuplicateRule(key="co", name="公司", fields=[DuplicateField(field="name", match="company")])
    datas = {1: {"name": "苏州恒瑞精密机械有限公司"}, 2: {"name": "恒瑞精密机械(苏州)有限公司"}}
    assert group([rule], [[1], [2]], datas) == []


def test_a_company_block_is_split_by_region_with_the_names_that_say_none_in_each() -> None:
    members = [("core", 1, "苏州|恒瑞精密机械"), ("core", 2, "杭州|恒瑞精密机械"), ("core", 3, "苏州|恒瑞精密机械"),
               ("core", 4, "|恒瑞精密机械"), ("lone", 5, "南京|别家"), ("lone", 6, "上海|别家"),
               ("phone", 7, None), ("phone", 8, None)]
    assert sorted(map(sorted, regional_blocks(members))) == [[1, 3, 4], [2, 4], [7, 8]]


def test_stored_pairs_make_groups_and_a_record_leaving_splits_what_it_linked() -> None:
    pairs = [(1, 2, "same_code"), (2, 3, "similar_name"), (5, 9, "similar_name")]
    assert linked_groups(pairs) == [Group((1, 2, 3), ("same_code", "similar_name")), Group((5, 9), ("similar_name",))]
    # record 2 merged away (or out of the reader's reach): 1 and 3 were linked only through it
    assert linked_groups(p for p in pairs if 2 not in p[:2]) == [Group((5, 9), ("similar_name",))]
