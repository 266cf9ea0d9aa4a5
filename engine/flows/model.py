"""Flow definitions: a trigger plus a tree of steps (approval, notify/cc, condition, parallel, action, wait).

Parsed once at the border like forms. Steps are a discriminated union on `type`; action steps are a
second union on `action`. A step is identified inside its flow by its JSON path (`steps[2].branches[0]
.steps[1]`): an instance runs on the version it started with, so the paths it remembers never move."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from engine.flows.parts import Recipients, _duration, _Model
from engine.flows.steps import any_step_annotation
from engine.flows.tree import walk_steps
from engine.keys import Key
from engine.model_words import Refusal

if TYPE_CHECKING:  # for type checkers; pydantic resolves `Step` to the registered union at run time
    from engine.flows.steps.base import StepType as Step


class Trigger(_Model):
    """What starts an instance: 提交审批 (submit), a record created, updated or deleted, a schedule, a date,
    a webhook, a button on the record page."""

    on: Literal["submit", "create", "update", "delete", "schedule", "date", "webhook", "button"]
    when: str | None = None
    """A condition on the record; the flow starts only when it is TRUE (schedule: which records; delete: on
    the record's last values; button: the button is offered, and may be pressed, only while it holds)."""
    fields: list[Key] | None = None
    """update: start only when one of these fields changed."""
    cron: str | None = None
    """schedule: minute hour day-of-month month day-of-week, in the server's time zone."""
    field: Key | None = None
    """date: the date or datetime field the flow is timed against."""
    offset: str | None = None
    """date: an ISO 8601 duration before (`-P30D`) or after (`P1D`) the field's value."""
    at: str = "09:00"
    """date: the time of day a date field's timer fires (local time)."""
    repeat: Literal["yearly", "monthly"] | None = None
    """date: fire again every year or month (a customer's anniversary)."""
    token: str | None = Field(default=None, min_length=16)
    """webhook: the secret a caller presents (`X-Tangram-Token` header or `?token=`)."""
    each_record: bool = True
    """schedule: start once per matching record (true), or once per run on no record (false: a scheduled pull)."""
    label: str | None = Field(default=None, min_length=1, max_length=20)
    """button: the button's text on the record page (发起报价审批); required (engine/flows/validate.py)."""

    _offset = field_validator("offset")(lambda cls, v: _duration(v))

    @model_validator(mode="after")
    def _needs(self) -> Trigger:
        needed = {"schedule": "cron", "date": "field", "webhook": "token"}.get(self.on)
        if needed and getattr(self, needed) is None:
            raise Refusal(f'"on": "{self.on}" 需要 "{needed}"', f'"on": "{self.on}" needs "{needed}"')
        return self


class OnReject(_Model):
    """What a rejection does to the record."""

    set: dict[Key, str] = Field(default_factory=dict)


class FlowDefinition(_Model):
    """One flow of an app: the form it runs on, its trigger and its steps."""

    key: Key
    name: str
    name_en: str | None = None
    description: str | None = None
    form: Key
    enabled: bool = True
    trigger: Trigger
    steps: list[Step] = Field(default_factory=list)  # the union of step types, resolved below
    on_reject: OnReject | None = None
    lock_record: bool = True
    """While an approval task is open the record is read-only (false: it stays editable)."""


# Steps are the union of the registered step types (engine/flows/steps), resolved now that it exists.
FlowDefinition.model_rebuild(_types_namespace={"Step": any_step_annotation()})

__all__ = ["FlowDefinition", "Trigger", "OnReject", "Recipients", "walk_steps"]
