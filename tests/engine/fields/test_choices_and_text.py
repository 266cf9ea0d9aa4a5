"""text, select, multi_select, cascade, address, email, url, boolean, users: behaviour at the edges."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import ValueContext

CTX = ValueContext()


def field(**definition: Any) -> Any:
    return parse_field({"key": "f", "label": "字段", **definition})


def test_text_counts_chinese_characters_and_checks_the_pattern() -> None:
    name = field(type="text", max_length=4, pattern=r"[\u4e00-\u9fa5]+", pattern_message="只能是汉字")
    assert name.normalize(" 张三丰 ", CTX) == "张三丰"
    with pytest.raises(FieldValueError, match="最多 4 个字符"):
        name.normalize("欧阳张三丰", CTX)
    with pytest.raises(FieldValueError, match="只能是汉字"):
        name.normalize("Tom", CTX)


def test_select_accepts_value_or_label_and_lists_the_valid_options() -> None:
    level = field(type="select", options=[{"value": "A", "label": "A类客户", "color": "#e00"}, "B"])
    assert level.normalize("A类客户", CTX) == "A" and level.normalize("B", CTX) == "B"
    with pytest.raises(FieldValueError, match="可选：A、B"):
        level.normalize("C", CTX)


def test_multi_select_keeps_option_order_without_repeats() -> None:
    roles = field(type="multi_select", options=["决策者", "影响者", "使用者"], max_selected=2)
    assert roles.normalize("使用者、决策者；使用者", CTX) == ["决策者", "使用者"]
    with pytest.raises(FieldValueError, match="最多选 2 项"):
        roles.normalize(["决策者", "影响者", "使用者"], CTX)


def test_cascade_reads_paths_and_can_require_a_leaf() -> None:
    industry = field(type="cascade", leaf_only=True, options=[
        {"value": "制造业", "children": ["汽车零配件", {"value": "电子电器", "label": "电子/电器"}]}])
    assert industry.normalize("制造业 / 汽车零配件", CTX) == ["制造业", "汽车零配件"]
    with pytest.raises(FieldValueError, match="请选到最后一级"):
        industry.normalize("制造业", CTX)
    with pytest.raises(FieldValueError, match="不是“制造业”下的选项"):
        industry.normalize("制造业/食品", CTX)


@pytest.mark.parametrize(("text", "parts"), [
    ("广东省深圳市南山区科技园南路1号", ("广东省", "深圳市", "南山区", "科技园南路1号")),
    ("北京市朝阳区建国路88号", ("北京市", "北京市", "朝阳区", "建国路88号")),
    ("上海浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("新疆维吾尔自治区乌鲁木齐市天山区", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", None)),
    ("江苏省苏州市工业园区星湖街328号", ("江苏省", "苏州市", "工业园区", "星湖街328号")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_address_text_is_split_into_province_city_district(text: str, parts: tuple[str | None, ...]) -> None:
    stored = field(type="address").normalize(text, CTX)
    assert tuple(stored.get(k) for k in ("province", "city", "district", "detail")) == parts


def test_address_needs_a_province_when_it_has_a_city() -> None:
    with pytest.raises(FieldValueError, match="请填写省份"):
        field(type="address").normalize({"city": "深圳市"}, CTX)


def test_email_is_lower_cased_and_checked() -> None:
    assert field(type="email").normalize(" Wang.Li＠Example．COM ", CTX) == "wang.li@example.com"
    for bad in ("wang.li", "a@b", "a b@c.cn", "a@@b.cn"):
        with pytest.raises(FieldValueError):
            field(type="email").normalize(bad, CTX)


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "data:text/html,x", "ftp://files.example.cn", "例子"], ids=str)
def test_url_refuses_unsafe_schemes(bad: str) -> None:
    with pytest.raises(FieldValueError):
        field(type="url").normalize(bad, CTX)


def test_url_gets_https_and_a_lower_case_host() -> None:
    assert field(type="url").normalize("WWW.Example.CN/Path", CTX) == "https://www.example.cn/Path"


@pytest.mark.parametrize(("given_", "stored"), [("是", True), ("否", False), ("Y", True), (0, False), ("√", True)],
                         ids=str)
def test_boolean_reads_chinese_and_spreadsheet_spellings(given_: object, stored: bool) -> None:
    assert field(type="boolean").normalize(given_, CTX) is stored


def test_users_keep_order_and_drop_repeats() -> None:
    assert field(type="users").normalize("li.na，wang.li, li.na", CTX) == ["li.na", "wang.li"]
    with pytest.raises(FieldValueError):
        field(type="users").normalize(["王 丽"], CTX)
