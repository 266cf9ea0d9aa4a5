"""task: open a to-do for people (a user field, a role …), optionally due after a duration."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep
from engine.flows.approvers import resolve
from engine.flows.checker import FlowChecker
from engine.flows.parts import Recipients, _duration, _Model
from engine.flows.run import Run


class TaskSpec(_Model):
    """A to-do opened for the assigned user (a follow-up, a first contact)."""

    name: str
    due: str | None = None
    business: bool = False

    _due = field_validator("due")(lambda cls, v: _duration(v))


class TaskAction(ActionStep):
    """Open a to-do for people (a user field, a role …), optionally due after a duration."""

    action: Literal["task"]
    label = "创建待办"
    sample = {"type": "action", "action": "task", "to": {"users": ["admin"]}, "task": {"name": "跟进"}}
    to: Recipients
    task: TaskSpec

    def check(self, c: FlowChecker, path: str) -> None:
        c.recipients(f"{path}.to", self.to)
        c.template(self.task.name)

    def act(self, run: Run, path: str) -> None:
        users = tuple(resolve(self.to, run.ctx.org, run.state.submitter, run.record, run.state.chosen.get(path, ())))
        due = run.after(self.task.due, self.task.business) if self.task.due else None
        run.emit(fx.OpenTodo(users, run.render(self.task.name), path, due))
        run.log("todo", f"为 {'、'.join(users) or '（无人）'} 创建待办", f"to-do for {', '.join(users) or 'nobody'}",
                step=path)


__all__ = ["TaskAction", "TaskSpec"]
