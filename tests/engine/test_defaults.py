"""Defaults of a new record: literal `default` and `default_formula`, for a create and for the form's start."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from engine.app_check import parse_app
from engine.errors import ValidationFailed
from engine.forms.defaults import initial_values
from engine.forms.fields.base import ValueContext
from engine.forms.validate import validate_values

APP = parse_app({
    "format": "tangram/app@1", "key": "visits", "name": "拜访", "version": "1.0.0",
    "forms": [{"key": "visit", "name": "拜访记录", "fields": [
        {"key": "subject", "type": "text", "label": "主题"},
        {"key": "on", "type": "date", "label": "拜访日期", "required": True, "default_formula": "TODAY()"},
        {"key": "by", "type": "user", "label": "拜访人", "default_formula": "CURRENT_USER()"},
        {"key": "kind", "type": "select", "label": "方式", "options": ["上门", "电话"], "default": "上门"},
        {"key": "rate", "type": "percent", "label": "把握", "default": "60%"},
        {"key": "echo", "type": "text", "label": "回显", "default_formula": 'subject & "（跟进）"'},
    ]}],
})
FORM = APP.form("visit")
CTX = ValueContext(now=datetime(2026, 11, 30, 17, 0, tzinfo=UTC))  # 1 December already in Beijing


def test_a_required_date_with_default_today_is_filled_when_not_given() -> None:
    data = validate_values(FORM, {"subject": "回访"}, CTX, user="wang.li")
    assert data["on"] == "2026-12-01" and data["by"] == "wang.li" and data["kind"] == "上门"
    assert data["rate"] == "0.6" and data["echo"] == "回访（跟进）"


def test_a_value_given_wins_over_the_default() -> None:
    data = validate_values(FORM, {"on": "2026-01-02", "by": "li.na", "kind": "电话"}, CTX, user="wang.li")
    assert (data["on"], data["by"], data["kind"]) == ("2026-01-02", "li.na", "电话")


def test_a_required_field_sent_blank_is_still_required() -> None:
    with pytest.raises(ValidationFailed) as e:
        validate_values(FORM, {"on": None}, CTX, user="wang.li")
    assert [(i.path, i.code) for i in e.value.issues] == [("on", "required")]


def test_defaults_apply_on_create_only() -> None:
    data = validate_values(FORM, {"subject": "改"}, CTX, existing={"subject": "原", "on": "2026-01-02"}, user="wang.li")
    assert data == {"subject": "改", "on": "2026-01-02"}


@pytest.mark.parametrize(("user", "expected"), [
    ("wang.li", {"on": "2026-12-01", "by": "wang.li", "kind": "上门", "rate": "0.6"}),
    (None, {"on": "2026-12-01", "kind": "上门", "rate": "0.6"}),  # no user: CURRENT_USER() is blank
], ids=["signed-in", "no-user"])
def test_a_new_form_starts_with_the_defaults_that_need_no_other_field(user: Any, expected: dict[str, Any]) -> None:
    assert initial_values(FORM, CTX, user) == expected  # `echo` reads `subject`: filled on create
