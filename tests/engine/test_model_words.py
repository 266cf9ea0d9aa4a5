"""The definition model's refusals read in Chinese where the builders show them (engine/model_words.py), with
pydantic's English kept as the English message; a validator's own refusal says both itself (Refusal)."""

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


def test_a_validators_own_refusal_is_shown_in_chinese_and_kept_in_english() -> None:
    options = _issue(_app({"key": "level", "label": "等级", "type": "select", "options": ["甲", "乙", "甲"]}))
    assert (options.message, options.message_en) == ("选项 '甲' 重复", "duplicate option '甲'")
    nested = _issue(_app({"key": "lines", "label": "明细", "type": "sub_table", "fields": [
        {"key": "inner", "label": "内表", "type": "sub_table", "fields": [{"key": "x", "label": "X", "type": "text"}]}]}))
    assert nested.message == "子表里不能再放子表" and nested.message_en == "a sub_table cannot hold another sub_table"


def test_a_flows_refusals_are_in_chinese_too() -> None:
    app = _app({"key": "name", "label": "名称", "type": "text"})
    app["flows"] = [{"key": "f", "name": "流程", "form": "customer", "trigger": {"on": "schedule", "cron": "99 9 * * *"},
                     "steps": [{"type": "approval", "name": "审批", "approvers": {"users": ["admin"]},
                                "due": "P1D", "sla": [{"after": "P1D", "do": "remind"}]}]}]
    messages = {i.path: (i.message, i.message_en) for i in validate_app(app)}
    assert any(zh == '"due" 与 "sla" 只能填一个' and en == 'give "due" or "sla", not both' for zh, en in messages.values())
    app["flows"][0]["steps"][0].pop("sla")
    [(zh, en)] = [m for p, m in {i.path: (i.message, i.message_en) for i in validate_app(app)}.items() if "cron" in p]
    assert zh == "定时表达式无效：分钟的值 '99' 不在 0-59 之间" and en == "'99' is outside 0-59 in the minute field"
