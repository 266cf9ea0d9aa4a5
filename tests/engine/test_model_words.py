"""The definition model's refusals read in Chinese where the builders show them (engine/model_words.py), with
pydantic's English kept as the English message; a validator's own words are left as written."""

from __future__ import annotations

from typing import Any

from engine.app_check import validate_app


def _app(field: dict[str, Any], **form: Any) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "shop", "name": "商店", "version": "1.0.0",
            "forms": [{"key": "customer", "name": "客户", "fields": [field], **form}]}


def _issue(data: dict[str, Any]) -> Any:
    issues = validate_app(data)
    assert issues, "the definition should be refused"
    return issues[0]


def test_a_bad_key_is_refused_in_chinese_with_the_pattern_and_in_english() -> None:
    issue = _issue(_app({"key": "名称", "label": "名称", "type": "text"}))
    assert issue.path == "forms[0].fields[0].key"
    assert issue.message.startswith("格式不符") and "应匹配" in issue.message
    assert "pattern" in issue.message_en


def test_unknown_settings_missing_parts_and_bounds_are_worded_in_chinese() -> None:
    unknown = _issue(_app({"key": "name", "label": "名称", "type": "text", "colour": "red"}))
    assert unknown.path == "forms[0].fields[0].colour" and unknown.message == "不认识的设置项（拼写是否有误？）"
    missing = _issue(_app({"key": "name", "type": "text"}))
    assert missing.path == "forms[0].fields[0].label" and missing.message == "必填，不能缺少"
    assert missing.message_en == "Field required"
    kind = _issue(_app({"key": "name", "label": "名称", "type": "no_such_type"}))
    assert "no_such_type" in kind.message and "不认识" in kind.message
