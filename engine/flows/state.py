"""The state of one flow instance: where each branch stands, open approvals, tasks, timers, timeline.

A pydantic model so the runtime stores it as JSON and reads it back unchanged; the machine never
mutates the state it is given (it works on a deep copy)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["new", "running", "returned", "approved", "completed", "rejected", "cancelled", "failed"]
STATUSES: tuple[Status, ...] = ("new", "running", "returned", "approved", "completed", "rejected", "cancelled",
                                "failed")
FINAL: frozenset[str] = frozenset({"approved", "completed", "rejected", "cancelled", "failed"})

TaskStatus = Literal["open", "approved", "rejected", "returned", "transferred", "escalated", "cancelled", "skipped",
                     "done", "added_before", "handed_over"]


class Task(BaseModel):
    """One approver's piece of an approval step (or a to-do); `key` is unique within the instance."""

    key: str
    step: str
    step_name: str
    assignee: str
    kind: Literal["approval", "todo"] = "approval"
    status: TaskStatus = "open"
    created_at: datetime
    due_at: datetime | None = None
    sla_since: datetime | None = None  # when its SLA clock started (an escalated task keeps the original's)
    decided_at: datetime | None = None
    decided_by: str | None = None
    comment: str | None = None


class ApprovalRun(BaseModel):
    """An approval step in progress: who may decide, in which order, and who has."""

    approvers: list[str]
    required: int
    position: int = 0  # sequential: index of the approver whose turn it is
    approved: list[str] = Field(default_factory=list)
    rejected: list[str] = Field(default_factory=list)
    asked_first: dict[str, str] = Field(default_factory=dict)
    """前加签: who was asked to decide first -> the approver who asked them (whose task comes back once
    everyone they asked has approved). They are not among `approvers` and do not count towards `required`."""


class Entry(BaseModel):
    """One line of the timeline: who did what, when, at which step, and why."""

    at: datetime
    kind: str
    actor: str | None = None
    step: str | None = None
    step_name: str | None = None
    message: str
    message_en: str | None = None
    comment: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class FlowInstanceState(BaseModel):
    """Everything the machine needs to take the next step."""

    status: Status = "new"
    submitter: str | None = None
    cursors: dict[str, int] = Field(default_factory=dict)  # sequence path -> index of its current step
    waiting: list[str] = Field(default_factory=list)  # step paths that have started and not finished
    approvals: dict[str, ApprovalRun] = Field(default_factory=dict)
    tasks: dict[str, Task] = Field(default_factory=dict)
    timers: dict[str, datetime] = Field(default_factory=dict)  # timer key -> when it fires
    next_task: int = 1
    rounds: int = 0  # how many times it was (re)submitted
    chosen: dict[str, list[str]] = Field(default_factory=dict)  # 发起人自选: step path -> whom the submitter picked
    answers: dict[str, Any] = Field(default_factory=dict)
    """HTTP 请求 steps' answers by step key (`{"status", "body"}`): what later steps read as `http.<key>…`."""
    timeline: list[Entry] = Field(default_factory=list)

    def open_tasks(self, step: str | None = None) -> list[Task]:
        return [t for t in self.tasks.values() if t.status == "open" and (step is None or t.step == step)]

    @property
    def has_open_approval(self) -> bool:
        return any(t.kind == "approval" for t in self.open_tasks())


__all__ = ["FlowInstanceState", "Task", "ApprovalRun", "Entry", "STATUSES", "FINAL", "Status"]
