"""Approver specs resolved against an organisation snapshot: the department a record's field names."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from engine.flows.approvers import resolve
from engine.flows.parts import Recipients
from engine.org import Department, Org

ORG = Org(departments={"plant": Department("plant", "工厂", None, "boss"),
                       "workshop": Department("workshop", "车间", "plant", "lead"),
                       "office": Department("office", "办公室", None, None)},
          memberships={"wang": ("office",)})


@pytest.mark.parametrize(("spec", "record", "expected"), [
    ({"department_field": "dept"}, {"dept": "workshop"}, ["lead"]),
    ({"department_field": {"field": "dept"}}, {"dept": "workshop"}, ["lead"]),
    ({"department_field": {"field": "dept", "levels_up": 1}}, {"dept": "workshop"}, ["boss"]),
    ({"department_field": {"field": "dept", "levels_up": 2}}, {"dept": "workshop"}, []),  # above the top
    ({"department_field": "dept"}, {"dept": "office"}, []),  # a department without a head
    ({"department_field": "dept"}, {}, []),  # the field is blank
    ({"department_field": "dept"}, {"dept": "gone"}, []),  # a department that no longer exists
    # the record's department, not the submitter's (wang is in office)
    ({"department_field": "dept", "department_head": 0}, {"dept": "plant"}, ["boss"]),
    ({"department_field": "dept", "users": ["lead"]}, {"dept": "workshop"}, ["lead"]),  # each person once
], ids=["short", "object", "one-up", "above-the-top", "no-head", "blank", "unknown", "with-submitters-head",
        "once"])
def test_department_field_names_the_head_of_the_records_department(spec: dict[str, Any], record: dict[str, Any],
                                                                   expected: list[str]) -> None:
    assert resolve(Recipients.model_validate(spec), ORG, "wang", record) == expected


def test_department_field_levels_cannot_be_negative() -> None:
    assert Recipients.model_validate({"department_field": {"field": "dept", "levels_up": 2}}).department_field
    with pytest.raises(ValidationError):
        Recipients.model_validate({"department_field": {"field": "dept", "levels_up": -1}})
