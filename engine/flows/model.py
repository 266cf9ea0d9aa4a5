"""Flow definitions: a trigger plus a tree of steps (approval, notify/cc, condition, parallel, action, wait).

Parsed once at the border like forms. Steps are a discriminated union on `type`; action steps are a
second union on `action`. A step is identified inside its flow by its JSON path (`steps[2].branches[0]
.steps[1]`): an instance runs on the version it started with, so the paths it remembers never move."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.flows.durations import parse_duration
from engine.keys import Key


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duration(value: str | None) -> str | None:
    if value is not None:
        parse_duration(value)  # raises ValueError with the reason
    return value


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


class _Action(_Model):
    type: Literal["action"]
    key: Key | None = None
    name: str | None = None


class UpdateRecordAction(_Action):
    """Set fields of the record from expressions."""

    action: Literal["update_record"]
    set: dict[Key, str] = Field(min_length=1)


class CreateRecordAction(_Action):
    """Create a record in another form, its values computed from this record."""

    action: Literal["create_record"]
    form: Key
    values: dict[Key, str] = Field(default_factory=dict)


class WebhookAction(_Action):
    """POST a JSON body (expressions) to a URL, signed with HMAC-SHA256, retried with backoff."""

    action: Literal["webhook"]
    url: str = Field(pattern=r"^https?://")
    secret: str | None = None
    body: dict[str, str] = Field(default_factory=dict)
    attempts: int = Field(default=5, ge=1, le=20)


class NotifyAction(_Message, _Action):
    """The notify step as an action."""

    action: Literal["notify"]


class TaskSpec(_Model):
    """A to-do opened for the assigned user (a follow-up, a first contact)."""

    name: str
    due: str | None = None
    business: bool = False

    _due = field_validator("due")(lambda cls, v: _duration(v))


class AssignRule(_Model):
    """One row of a rule table: when the condition holds, pick among these people."""

    when: str | None = None
    users: list[str] | None = None
    role: str | None = None
    department: str | None = None


class AssignAction(_Action):
    """Give the record an owner: round-robin or fewest open records, among candidates or by a rule table."""

    action: Literal["assign"]
    field: Key
    """The user field that receives the chosen user."""
    strategy: Literal["round_robin", "fewest_open"] = "round_robin"
    open_when: str | None = None
    """fewest_open: which records count as open (an expression; default: all)."""
    rules: list[AssignRule] = Field(min_length=1)
    task: TaskSpec | None = None


class TaskAction(_Action):
    """Open a to-do for people (a user field, a role …), optionally due after a duration."""

    action: Literal["task"]
    to: Recipients
    task: TaskSpec


Action = Annotated[
    UpdateRecordAction | CreateRecordAction | WebhookAction | NotifyAction | AssignAction | TaskAction,
    Field(discriminator="action"),
]


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
