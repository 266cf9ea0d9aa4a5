"""What the runtime must do after a transition: write the record, create one, delete some, notify, call out, assign,
set timers. Values are already computed (expressions evaluated); the runtime only carries them out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class UpdateRecord:
    """Set these fields of the instance's record."""

    values: dict[str, Any]
    step: str | None = None


@dataclass(frozen=True)
class Created:
    """A value not known yet: the id of the record the create_record step at `step` makes (or matches) in this
    same transition; the runtime puts the id in its place."""

    step: str


@dataclass(frozen=True)
class CreateRecord:
    """Create a record of another form — or, with `match`, use the live one whose fields equal these values,
    with `match_duplicates` the oldest one the form's duplicate rules find for `values` — and with `link` set
    that relation of the instance's record to it."""

    form: str
    values: dict[str, Any]
    step: str
    match: dict[str, Any] = field(default_factory=dict)
    link: str | None = None
    match_duplicates: bool = False


@dataclass(frozen=True)
class DeleteRecords:
    """Soft-delete the instance's record, or (with `form`) the live records of `form` whose relation `field`
    names it and for which `when` holds."""

    step: str
    form: str | None = None
    field: str | None = None
    when: str | None = None


@dataclass(frozen=True)
class Notify:
    """A message on a channel: in-app and e-mail to users, DingTalk / WeCom to a group robot."""

    channel: str
    users: tuple[str, ...]
    title: str
    message: str
    step: str | None = None
    webhook: str | None = None
    secret: str | None = None
    named: tuple[str, ...] = ()
    """Usernames the message names: the runtime writes their display names in their place."""


@dataclass(frozen=True)
class CallWebhook:
    """POST this JSON body to the URL, signed with the secret; retried up to `attempts` times."""

    url: str
    body: dict[str, Any]
    step: str
    secret: str | None = None
    attempts: int = 5


@dataclass(frozen=True)
class CallHttp:
    """Send the HTTP step's request (its definition as JSON) with the record's placeholder values filled in;
    the runtime adds the secrets, sends it as an outbox job and keeps the answer."""

    request: dict[str, Any]
    values: dict[str, Any]
    step: str
    attempts: int = 5


@dataclass(frozen=True)
class Assign:
    """Choose one user for `field` among candidates (users, or members of a role / department)."""

    field: str
    strategy: str
    users: tuple[str, ...]
    step: str
    open_when: str | None = None
    task_name: str | None = None
    task_due: datetime | None = None


@dataclass(frozen=True)
class OpenTodo:
    """A to-do for users outside any approval (follow up, first contact)."""

    users: tuple[str, ...]
    name: str
    step: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class SetTimer:
    """Fire TimerFired(key) at `at`."""

    key: str
    at: datetime


@dataclass(frozen=True)
class Finished:
    """The instance reached a final status."""

    status: str
    detail: dict[str, Any] = field(default_factory=dict)


Effect = UpdateRecord | CreateRecord | DeleteRecords | Notify | CallWebhook | CallHttp | Assign | OpenTodo | SetTimer | Finished

__all__ = ["UpdateRecord", "Created", "CreateRecord", "DeleteRecords", "Notify", "CallWebhook", "CallHttp", "Assign", "OpenTodo", "SetTimer", "Finished",
           "Effect"]
