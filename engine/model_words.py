"""The definition model's refusals in Chinese: pydantic words its errors in English ("String should match
pattern …"), and the builders show them on the field they concern, to business users who read Chinese.
Worded from the error's type and context; a type not listed here keeps pydantic's English."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": lambda c: "必填，不能缺少",
    "extra_forbidden": lambda c: "不认识的设置项（拼写是否有误？）",
    "string_type": lambda c: "应为文字",
    "string_too_short": lambda c: f"至少 {c.get('min_length')} 个字符",
    "string_too_long": lambda c: f"至多 {c.get('max_length')} 个字符",
    "string_pattern_mismatch": lambda c: f"格式不符（应匹配 {c.get('pattern')}）",
    "int_type": lambda c: "应为整数",
    "int_parsing": lambda c: "应为整数",
    "int_from_float": lambda c: "应为整数，不能有小数",
    "float_type": lambda c: "应为数字",
    "float_parsing": lambda c: "应为数字",
    "decimal_type": lambda c: "应为数字",
    "decimal_parsing": lambda c: "应为数字",
    "bool_type": lambda c: "应为 true 或 false",
    "bool_parsing": lambda c: "应为 true 或 false",
    "greater_than": lambda c: f"应大于 {c.get('gt')}",
    "greater_than_equal": lambda c: f"应不小于 {c.get('ge')}",
    "less_than": lambda c: f"应小于 {c.get('lt')}",
    "less_than_equal": lambda c: f"应不大于 {c.get('le')}",
    "literal_error": lambda c: f"应为 {c.get('expected')} 之一",
    "enum": lambda c: f"应为 {c.get('expected')} 之一",
    "list_type": lambda c: "应为列表",
    "dict_type": lambda c: "应为对象（键值对）",
    "model_type": lambda c: "应为对象（键值对）",
    "model_attributes_type": lambda c: "应为对象（键值对）",
    "too_short": lambda c: f"至少 {c.get('min_length')} 项",
    "too_long": lambda c: f"至多 {c.get('max_length')} 项",
    "union_tag_invalid": lambda c: f"{c.get('discriminator')} 的值 {c.get('tag')!r} 不认识，应为 {c.get('expected_tags')} 之一",
    "union_tag_not_found": lambda c: f"缺少 {c.get('discriminator')}",
    "date_from_datetime_parsing": lambda c: "应为日期（如 2026-01-31）",
    "date_parsing": lambda c: "应为日期（如 2026-01-31）",
    "date_type": lambda c: "应为日期（如 2026-01-31）",
    "datetime_parsing": lambda c: "应为日期时间（如 2026-01-31T09:00:00+08:00）",
    "datetime_type": lambda c: "应为日期时间（如 2026-01-31T09:00:00+08:00）",
}


def chinese(error: Mapping[str, Any], english: str) -> str:
    """The Chinese words of one pydantic error (`errors()` item); `english` where its type has none here —
    a validator's own message (`value_error`) is the project's, already written for its reader."""
    word = _WORDS.get(str(error.get("type")))
    return word(error.get("ctx") or {}) if word else english


__all__ = ["chinese"]
