"""address: province, city, district and detail, split from typed text by administrative suffixes."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
ADDRESS = parse_field({"key": "address", "type": "address", "label": "所在地区"})
PARTS = ("province", "city", "district", "detail")


@pytest.mark.parametrize(("text", "parts"), [
    ("广东省深圳市南山区科技园南路1号", ("广东省", "深圳市", "南山区", "科技园南路1号")),
    ("北京市朝阳区建国路88号", ("北京市", "北京市", "朝阳区", "建国路88号")),
    ("上海浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("重庆市渝北区 金开大道 1 号", ("重庆市", "重庆市", "渝北区", "金开大道1号")),
    ("新疆维吾尔自治区乌鲁木齐市天山区", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", None)),
    ("内蒙古自治区锡林郭勒盟锡林浩特市", ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市", None)),
    ("江苏省苏州市昆山市玉山镇", ("江苏省", "苏州市", "昆山市", "玉山镇")),
    ("四川省阿坝藏族羌族自治州汶川县", ("四川省", "阿坝藏族羌族自治州", "汶川县", None)),
    ("香港特别行政区", ("香港特别行政区", None, None, None)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_address_text_is_split_into_province_city_district(text: str, parts: tuple[str | None, ...]) -> None:
    stored = ADDRESS.normalize(text, CTX)
    assert tuple(stored.get(k) for k in PARTS) == parts


def test_address_object_drops_empty_parts() -> None:
    given_ = {"province": "浙江省", "city": " 杭州市 ", "district": "", "detail": None}
    assert ADDRESS.normalize(given_, CTX) == {"province": "浙江省", "city": "杭州市"}


@pytest.mark.parametrize(("bad", "message"), [
    ({"city": "深圳市"}, "请填写省份"),
    ({"province": "广东省", "street": "x"}, "地址不认识 street"),
    (["广东省"], "地址应为文本"),
], ids=["no-province", "unknown-part", "list"])
def test_address_refuses_incomplete_or_unknown_shapes(bad: object, message: str) -> None:
    with pytest.raises(FieldValueError, match=message):
        ADDRESS.normalize(bad, CTX)


def test_address_require_detail_asks_for_the_street() -> None:
    strict = parse_field({"key": "a", "type": "address", "label": "收货地址", "require_detail": True})
    with pytest.raises(FieldValueError, match="请填写详细地址"):
        strict.normalize("广东省深圳市南山区", CTX)


@pytest.mark.parametrize(("stored", "cell"), [
    ({"province": "北京市", "city": "北京市", "district": "朝阳区", "detail": "建国路88号"}, "北京市朝阳区建国路88号"),
    ({"province": "广东省", "city": "深圳市", "district": "南山区"}, "广东省深圳市南山区"),
], ids=["municipality", "province"])
def test_address_cell_does_not_double_a_municipality_and_reads_back(stored: dict[str, str], cell: str) -> None:
    assert ADDRESS.to_cell(stored) == cell
    assert ADDRESS.normalize(ADDRESS.from_cell(cell), CTX) == stored
