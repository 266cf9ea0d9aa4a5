"""The definition model's refusals in Chinese: pydantic words its errors in English ("String should match
pattern …"), and the builders show them on the field they concern, to business users who read Chinese.
Worded from the error's type and context; a type not listed here keeps pydantic's English."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

_WORDS: dict[str, str] = {
    "missing": "必填，不能缺少",
    "extra_forbidden": "不认识的设置项（拼写是否有误？）",
    "string_type": "应为文字",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "literal_error": "应为 {expected} 之一",
    "enum": "应为 {expected} 之一",
    "list_type": "应为列表",
    "dict_type": "应为对象（键值对）",
    "model_type": "应为对象（键值对）",
    "model_attributes_type": "应为对象（键值对）",
    "too_short": "至少 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "union_tag_invalid": "{discriminator} 的值 {tag!r} 不认识，应为 {expected_tags} 之一",
    "union_tag_not_found": "缺少 {discriminator}",
    "date_from_datetime_parsing": "应为日期（如 2026-01-31）",
    "date_parsing": "应为日期（如 2026-01-31）",
    "date_type": "应为日期（如 2026-01-31）",
    "datetime_parsing": "应为日期时间（如 2026-01-31T09:00:00+08:00）",
    "datetime_type": "应为日期时间（如 2026-01-31T09:00:00+08:00）",
}
"""Each type's words; `{name}` is filled from the error's context."""


class Refusal(ValueError):
    """A validator's refusal in both languages: its str() is the English (pydantic's `msg`, the API's
    `message_en`), `chinese` what the builders show."""

    def __init__(self, chinese: str, english: str) -> None:
        super().__init__(english)
        self.chinese = chinese


def said(error: Exception) -> tuple[str, str]:
    """An error's Chinese and English words (a Refusal's own; another's English twice)."""
    return (error.chinese if isinstance(error, Refusal) else str(error)), str(error)


def chinese(error: Mapping[str, Any], english: str) -> str:
    """The Chinese words of one pydantic error (`errors()` item): a validator's Refusal says them itself; a
    type not listed here keeps `english`."""
    raised = (error.get("ctx") or {}).get("error")
    if isinstance(raised, Refusal):
        return raised.chinese
    words = _WORDS.get(str(error.get("type")))
    return words.format_map(defaultdict(str, error.get("ctx") or {})) if words else english


__all__ = ["Refusal", "chinese", "said"]
