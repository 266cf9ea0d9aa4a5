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


TWO_DEPARTMENTS = Org(departments={"east": Department("east", "华东销售部", None, "east_boss"),
                                   "east_1": Department("east_1", "华东一组", "east", "group_lead"),
                                   "south": Department("south", "华南销售部", None, "south_boss")},
                      memberships={"rep1": ("east_1",), "rep2": ("south",), "wang": ("east",)})


@pytest.mark.parametrize(("spec", "record", "expected"), [
    ({"owner_department_head": 0}, {"owner": "rep1"}, ["group_lead"]),
    ({"owner_department_head": True}, {"owner": "rep2"}, ["south_boss"]),
    ({"owner_department_head": 1}, {"owner": "rep1"}, ["east_boss"]),
    ({"owner_department_head": 2}, {"owner": "rep1"}, []),  # above the top
    ({"owner_department_head": {"field": "assignee"}}, {"owner": "rep1", "assignee": "rep2"}, ["south_boss"]),
    ({"owner_department_head": {"field": "assignee", "levels_up": 1}}, {"assignee": "rep1"}, ["east_boss"]),
    ({"owner_department_head": 0}, {"owner": "nobody"}, []),  # an owner in no department
    ({"owner_department_head": {"field": "assignee"}}, {"owner": "rep1"}, []),  # the field is blank
    # the owner's manager, not the submitter's (wang is in east)
    ({"owner_department_head": 0, "department_head": 0}, {"owner": "rep2"}, ["south_boss", "east_boss"]),
], ids=["owner", "true", "one-up", "above-the-top", "field", "field-one-up", "no-department", "blank-field",
        "with-submitters-head"])
def test_owner_department_head_names_the_record_owners_manager(spec: dict[str, Any], record: dict[str, Any],
                                                              expected: list[str]) -> None:
    assert sorted(resolve(Recipients.model_validate(spec), TWO_DEPARTMENTS, "wang", record)) == sorted(expected)


def test_owner_department_head_levels_cannot_be_negative() -> None:
    assert Recipients.model_validate({"owner_department_head": 2}).owner_department_head.levels_up == 2  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        Recipients.model_validate({"owner_department_head": -1})
    with pytest.raises(ValidationError):
        Recipients.model_validate({"owner_department_head": {"levels_up": -1}})
