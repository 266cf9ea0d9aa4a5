"""Pieces flow definitions share: the strict base model, ISO durations, recipients, message fields."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.flows.durations import parse_duration
from engine.keys import Key
from engine.model_words import Refusal


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration(value)  # raises ValueError with the reason
    return value


class DepartmentOfRecord(_Model):
    """The head of the department a department field of the record names, or of the one N levels above it."""

    field: Key
    levels_up: int = Field(default=0, ge=0)


class OwnerDepartmentHead(_Model):
    """The head of the primary department of the record's owner (or of the user a user field names), or of
    the department N levels above it: the owner's manager."""

    levels_up: int = Field(default=0, ge=0)
    field: Key | None = None
    """A single-user field whose user counts as the owner (a lead's 负责人); None: the record's `owner`."""


def _levels(value: object) -> object:
    """`1` is `{"levels_up": 1}`; `true` is `{"levels_up": 0}`."""
    if value is True:
        return {}
    return {"levels_up": value} if isinstance(value, int) and not isinstance(value, bool) else value


class Recipients(_Model):
    """Who: named users, the members of a role, the submitter's department head (N levels up), a user field,
    the head of the department a department field names (N levels up), the record owner's department head
    (N levels up), whom the submitter chose."""

    users: list[str] | None = None
    role: str | list[str] | None = None
    department_head: int | bool | None = None
    """0 (or true): the head of the submitter's department; 1: the head of the department above; …"""
    field: Key | None = None
    department_field: DepartmentOfRecord | None = None
    """`"dept"` (or `{"field": "dept", "levels_up": 0}`): the head of the record's department; 1: above it; …"""
    submitter: bool = False
    chosen: bool = False
    """发起人自选: the people the submitter picks for this step when submitting (engine/flows/chosen.py)."""
    owner_department_head: OwnerDepartmentHead | None = None
    """`0` (or `{"levels_up": 0, "field": "assignee"}`): the head of the record owner's department; 1: above it; …"""

    _owner_department_head = field_validator("owner_department_head", mode="before")(lambda cls, v: _levels(v))
    _department_field = field_validator("department_field", mode="before")(
        lambda cls, v: {"field": v} if isinstance(v, str) else v)

    @model_validator(mode="after")
    def _something(self) -> Recipients:
        if not (self.users or self.role or self.department_head is not None or self.field or self.department_field
                or self.submitter or self.chosen or self.owner_department_head):
            raise Refusal("至少指定一种处理人：users、role、department_head、field、department_field、submitter、chosen、"
                          "owner_department_head",
                          "name at least one of users, role, department_head, field, department_field, submitter, "
                          "chosen, owner_department_head")
        return self

    @property
    def roles(self) -> list[str]:
        return [self.role] if isinstance(self.role, str) else list(self.role or [])

    @property
    def levels_up(self) -> int | None:
        if self.department_head is None or self.department_head is False:
            return None
        return 0 if self.department_head is True else int(self.department_head)


Channel = Literal["in_app", "email", "dingtalk", "wecom"]


class _Message(_Model):
    channel: Channel = "in_app"
    to: Recipients | None = None
    title: str | None = None
    message: str
    """Text with `{field}` placeholders filled from the record."""
    webhook: str | None = None
    """dingtalk / wecom: the group robot's URL; left out, the site's robot of 系统设置."""
    secret: str | None = None
    """dingtalk: the robot's signing secret (加签)."""

    @model_validator(mode="after")
    def _target(self) -> _Message:
        if self.channel in ("in_app", "email") and self.to is None:
            raise Refusal(f'渠道 "{self.channel}" 需要 "to"（发给谁）', f'channel "{self.channel}" needs "to"')
        return self


__all__ = ["Recipients", "DepartmentOfRecord", "OwnerDepartmentHead", "Channel"]
