"""visible_when and editable_when evaluated for given values (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition
from engine.forms.visibility import hidden_fields, locked_fields

FORM = FormDefinition.model_validate({"key": "deal", "name": "商机", "fields": [
    {"key": "stage", "type": "select", "label": "阶段", "options": ["跟进", "输单", "赢单"]},
    {"key": "lost_reason", "type": "text", "label": "输单原因", "visible_when": 'stage = "输单"'},
    {"key": "amount", "type": "money", "label": "金额", "editable_when": 'stage != "赢单"'},
    {"key": "note", "type": "text", "label": "备注"},
]})
CTX = ValueContext(now=datetime(2026, 11, 24, tzinfo=UTC))


@pytest.mark.parametrize(("data", "hidden"), [
    ({"stage": "跟进"}, ["lost_reason"]),
    ({"stage": "输单"}, []),
    ({}, ["lost_reason"]),  # a blank stage is not 输单 (equality is never blank)
], ids=["other-stage-hides", "matching-stage-shows", "blank-hides"])
def test_visible_when_false_hides_the_field(data: dict, hidden: list[str]) -> None:
    assert hidden_fields(FORM, data, CTX) == hidden


def test_editable_when_false_on_the_stored_record_locks_the_field() -> None:
    assert locked_fields(FORM, {"stage": "赢单", "amount": "100.00"}, CTX) == ["amount"]
    assert locked_fields(FORM, {"stage": "跟进"}, CTX) == []
