"""What can happen to an instance: it is started or resubmitted, a task is decided, transferred or
given more approvers, a timer fires, the submitter withdraws it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Start:
    """提交: start the instance, or resubmit it after it was returned. `chosen` (发起人自选): step path -> whom
    the submitter picked (engine/flows/chosen.py checks it); None keeps an earlier round's picks."""

    actor: str | None
    chosen: Mapping[str, Sequence[str]] | None = None


@dataclass(frozen=True)
class Decide:
    """An approver approves, rejects or returns (退回) the task to the submitter."""

    task: str
    actor: str
    decision: Literal["approve", "reject", "return"]
    comment: str | None = None


HANDOVER_COMMENT = "离职交接"
"""The comment of a Transfer made by a user's handover (runtime/accounts/handover.py): such a task was not
passed on by its assignee's choice, and no longer lets them read its record (runtime/permissions/approvers.py)."""


@dataclass(frozen=True)
class Transfer:
    """转交: the task passes to another user."""

    task: str
    actor: str
    to: str
    comment: str | None = None
    handover: bool = False
    """离职交接: the task moves with everything else of a leaving user; it closes as `handed_over`, which (unlike a
    转交 they chose) no longer lets them read its record (runtime/permissions/approvers.py)."""


@dataclass(frozen=True)
class AddApprovers:
    """加签: more approvers join the step of this task — `after` (后加签) the actor, or `before` (前加签):
    they decide first and the task then comes back to the actor."""

    task: str
    actor: str
    users: tuple[str, ...]
    comment: str | None = None
    position: Literal["before", "after"] = "after"


@dataclass(frozen=True)
class TimerFired:
    """A timer the instance asked for has come due."""

    key: str


@dataclass(frozen=True)
class Answered:
    """The call of the HTTP 请求 step at `step` (a path) was answered: the run goes on from it, and later steps
    read `answer` (engine/flows/answers.py keeps its status and body)."""

    step: str
    answer: Mapping[str, Any]


@dataclass(frozen=True)
class Cancel:
    """撤回: the submitter (or an administrator) withdraws the instance."""

    actor: str | None
    comment: str | None = None


Event = Start | Decide | Transfer | AddApprovers | TimerFired | Answered | Cancel
EVENT_TYPES = (Start, Decide, Transfer, AddApprovers, TimerFired, Answered, Cancel)

__all__ = ["HANDOVER_COMMENT", "Start", "Decide", "Transfer", "AddApprovers", "TimerFired", "Answered", "Cancel", "Event", "EVENT_TYPES"]
