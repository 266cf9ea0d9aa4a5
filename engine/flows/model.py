"""Flow definitions: a trigger plus a tree of steps (approval, notify/cc, condition, parallel, action, wait).

Parsed once at the border like forms. Steps are a discriminated union on `type`; action steps are a
second union on `action`. A step is identified inside its flow by its JSON path (`steps[2].branches[0]
.steps[1]`): an instance runs on the version it started with, so the paths it remembers never move."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from engine.flows.actions import (
    Action,
    AssignAction,
    AssignRule,
    CreateRecordAction,
    NotifyAction,
    TaskAction,
    TaskSpec,
    UpdateRecordAction,
    WebhookAction,
)
from engine.flows.parts import Recipients, _duration, _Message, _Model
from engine.keys import Key


class Trigger(_Model):
    """What starts an instance: 提交审批 (submit), a record created or updated, a schedule, a date, a webhook."""

    on: Literal["submit", "create", "update", "schedule", "date", "webhook"]
    when: str | None = None
    """A condition on the record; the flow starts only when it is TRUE (schedule: which records)."""
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

    _offset = field_validator("offset")(lambda cls, v: _duration(v))

    @model_validator(mode="after")
    def _needs(self) -> Trigger:
        needed = {"schedule": "cron", "date": "field", "webhook": "token"}.get(self.on)
        if needed and getattr(self, needed) is None:
            raise ValueError(f'"on": "{self.on}" needs "{needed}"')
        return self


class Due(_Model):
    """When a task is due, counted in calendar or working time, and what happens when it passes."""

    after: str
    business: bool = False
    action: Literal["remind", "escalate", "approve", "reject"] = "remind"

    _after = field_validator("after")(lambda cls, v: _duration(v))


def _due(value: Any) -> Any:
    return {"after": value} if isinstance(value, str) else value


class ApprovalStep(_Model):
    """Approvers decide: any one (或签), all (会签), N of M, or one after another (依次审批)."""

    type: Literal["approval"]
    key: Key | None = None
    name: str = "审批"
    approvers: Recipients
    mode: Literal["any", "all", "sequential", "n_of_m"] = "any"
    required: int | None = Field(default=None, ge=1)
    due: Due | None = None
    if_empty: Literal["fail", "approve"] = "fail"
    """When the approvers resolve to nobody at run time: fail the instance, or pass the step."""

    _due = field_validator("due", mode="before")(lambda cls, v: _due(v))

    @model_validator(mode="after")
    def _required(self) -> ApprovalStep:
        if self.mode == "n_of_m" and self.required is None:
            raise ValueError('mode "n_of_m" needs "required"')
        if self.mode != "n_of_m" and self.required is not None:
            raise ValueError('"required" is only for mode "n_of_m"')
        return self


class NotifyStep(_Message):
    """cc / notify: tell people without asking them anything."""

    type: Literal["notify", "cc"]
    key: Key | None = None
    name: str = "通知"


class ConditionBranch(_Model):
    """One branch: taken when `when` is TRUE (in order), or the default."""

    name: str | None = None
    when: str | None = None
    default: bool = False
    steps: list[Step] = Field(default_factory=list)

    @model_validator(mode="after")
    def _when(self) -> ConditionBranch:
        if self.default and self.when is not None:
            raise ValueError('a default branch has no "when"')
        if not self.default and self.when is None:
            raise ValueError('a branch needs "when" or "default": true')
        return self


class ConditionStep(_Model):
    """Branches with conditions, evaluated in order, plus a default branch."""

    type: Literal["condition"]
    key: Key | None = None
    name: str = "条件分支"
    branches: list[ConditionBranch] = Field(min_length=1)


class ParallelBranch(_Model):
    name: str | None = None
    steps: list[Step] = Field(default_factory=list)


class ParallelStep(_Model):
    """Branches that all run; the flow goes on when every branch has finished."""

    type: Literal["parallel"]
    key: Key | None = None
    name: str = "并行分支"
    branches: list[ParallelBranch] = Field(min_length=1)
    reject_ends_flow: bool = True
    """A rejection in one branch rejects the whole flow (false: that branch just ends)."""


class WaitStep(_Model):
    """Pause for a duration, or until a date field (plus an offset)."""

    type: Literal["wait"]
    key: Key | None = None
    name: str = "等待"
    duration: str | None = None
    until: Key | None = None
    offset: str | None = None
    business: bool = False

    _durations = field_validator("duration", "offset")(lambda cls, v: _duration(v))

    @model_validator(mode="after")
    def _one(self) -> WaitStep:
        if (self.duration is None) == (self.until is None):
            raise ValueError('a wait step needs exactly one of "duration" and "until"')
        return self


Step = Annotated[
    ApprovalStep | NotifyStep | ConditionStep | ParallelStep | Action | WaitStep,
    Field(discriminator="type"),
]


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
    steps: list[Step] = Field(default_factory=list)
    on_reject: OnReject | None = None
    lock_record: bool = True
    """While an approval task is open the record is read-only (false: it stays editable)."""


for _model in (ConditionBranch, ConditionStep, ParallelBranch, ParallelStep, FlowDefinition):
    _model.model_rebuild()


def walk_steps(steps: list[Any], prefix: str = "steps") -> list[tuple[str, Any]]:
    """Every step of a tree with its path id, depth first, in definition order."""
    found: list[tuple[str, Any]] = []
    for i, step in enumerate(steps):
        path = f"{prefix}[{i}]"
        found.append((path, step))
        for b, branch in enumerate(getattr(step, "branches", None) or []):
            found.extend(walk_steps(branch.steps, f"{path}.branches[{b}].steps"))
    return found


__all__ = ["FlowDefinition", "Trigger", "Recipients", "Due", "Step", "ApprovalStep", "NotifyStep",
           "ConditionStep", "ConditionBranch", "ParallelStep", "ParallelBranch", "UpdateRecordAction",
           "CreateRecordAction", "WebhookAction", "NotifyAction", "AssignAction", "AssignRule", "TaskAction",
           "TaskSpec", "WaitStep", "OnReject", "walk_steps"]
