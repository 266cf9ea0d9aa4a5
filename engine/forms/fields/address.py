"""address: 省/市/区 plus the street (所在地区), stored as an object."""

from __future__ import annotations

import re
from typing import Any, Literal

from engine.errors import FieldValueError
from engine.forms.fields.base import CONTAINER_OPS, FieldType, ValueContext
from engine.forms.fields.palette import Palette

PARTS = ("province", "city", "district", "detail")
MUNICIPALITIES = ("北京市", "上海市", "天津市", "重庆市")
_PROVINCE = re.compile(r"^(.+?(?:特别行政区|自治区|省))")
_CITY = re.compile(r"^(.+?(?:自治州|地区|盟|市))")
_DISTRICT = re.compile(r"^(.+?(?:新区|区|县|旗|市))")


def parse_address(text: str) -> dict[str, str]:
    """Split "广东省深圳市南山区科技园" by the suffixes of Chinese administrative divisions."""
    rest = re.sub(r"\s+", "", text)
    parts: dict[str, str] = {}
    municipality = next((m for m in MUNICIPALITIES if rest.startswith((m, m[:-1]))), None)
    if municipality:
        parts["province"] = parts["city"] = municipality
        rest = rest.removeprefix(municipality if rest.startswith(municipality) else municipality[:-1])
        rest = rest.removeprefix(municipality)  # "北京市北京市朝阳区" written in full
    else:
        for key, pattern in (("province", _PROVINCE), ("city", _CITY)):
            match = pattern.match(rest)
            if match:
                parts[key], rest = match[1], rest[match.end():]
    match = _DISTRICT.match(rest)
    if match and "city" in parts:
        parts["district"], rest = match[1], rest[match.end():]
    if rest:
        parts["detail"] = rest
    return parts


class AddressField(FieldType):
    """Province, city, district and detail; `require_detail` asks for the street too."""

    type: Literal["address"]
    require_detail: bool = False

    storage = "json"
    value_type = None
    sortable = False
    filter_ops = CONTAINER_OPS
    palette = Palette("地址", "Address", "contact", "⌂")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, str):
            value = parse_address(value)
        if not isinstance(value, dict):
            raise FieldValueError("地址应为文本或 {province, city, district, detail}",
                                  "an address is text or {province, city, district, detail}")
        unknown = set(value) - set(PARTS)
        if unknown:
            raise FieldValueError(f"地址不认识 {', '.join(sorted(unknown))}", f"unknown address parts {sorted(unknown)}")
        address = {k: str(value[k]).strip() for k in PARTS if value.get(k) is not None and str(value[k]).strip()}
        if not address.get("province") and (address.get("city") or address.get("district")):
            raise FieldValueError("请填写省份", "the province is missing")
        if self.require_detail and not address.get("detail"):
            raise FieldValueError("请填写详细地址", "the street address is missing")
        return address

    def json_schema(self) -> dict[str, Any]:
        return {"type": "object", "properties": {k: {"type": "string"} for k in PARTS}, "additionalProperties": False}

    def to_cell(self, value: Any) -> Any:
        province, city = value.get("province", ""), value.get("city", "")
        head = province if city == province else province + city
        return head + value.get("district", "") + value.get("detail", "")

    def from_cell(self, cell: Any) -> Any:
        return "" if cell is None else str(cell)
