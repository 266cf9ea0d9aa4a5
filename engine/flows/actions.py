"""Action steps (`"type": "action"`), a second discriminated union on `action`: update or create a record,
call a webhook, notify, assign an owner, open a to-do."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from engine.flows.parts import Recipients, _duration, _Message, _Model
from engine.keys import Key


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


__all__ = ["UpdateRecordAction", "CreateRecordAction", "WebhookAction", "NotifyAction", "AssignAction", "AssignRule",
           "TaskAction", "TaskSpec", "Action"]
