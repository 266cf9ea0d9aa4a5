"""Pieces flow definitions share: the strict base model, ISO durations, recipients, message fields."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from engine.flows.durations import parse_duration
from engine.keys import Key


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration(value)  # raises ValueError with the reason
    return value


class Recipients(_Model):
    """Who: named users, the members of a role, the submitter's department head (N levels up), a user field."""

    users: list[str] | None = None
    role: str | list[str] | None = None
    department_head: int | bool | None = None
    """0 (or true): the head of the submitter's department; 1: the head of the department above; …"""
    field: Key | None = None
    submitter: bool = False

    @model_validator(mode="after")
    def _something(self) -> Recipients:
        if not (self.users or self.role or self.department_head is not None or self.field or self.submitter):
            raise ValueError("name at least one of users, role, department_head, field, submitter")
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
    """dingtalk / wecom: the group robot's URL."""
    secret: str | None = None
    """dingtalk: the robot's signing secret (加签)."""

    @model_validator(mode="after")
    def _target(self) -> _Message:
        if self.channel in ("dingtalk", "wecom") and not self.webhook:
            raise ValueError(f'channel "{self.channel}" needs "webhook" (the robot URL)')
        if self.channel in ("in_app", "email") and self.to is None:
            raise ValueError(f'channel "{self.channel}" needs "to"')
        return self


__all__ = ["Recipients", "Channel"]
