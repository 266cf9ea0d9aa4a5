"""notify / cc: a message to people (in-app, e-mail) or to a group robot (DingTalk, WeCom)."""

from __future__ import annotations

from typing import Any, Literal

from engine.flows import effects as fx
from engine.flows.approvers import resolve
from engine.flows.checker import FlowChecker
from engine.flows.parts import _Message
from engine.flows.run import Run
from engine.flows.steps.base import StepType


def message(run: Run, path: str, step: Any) -> None:
    """Emit the Notify effect of a notify step or action (they share their fields)."""
    chosen = run.state.chosen.get(path, ())
    users = tuple(resolve(step.to, run.ctx.org, run.state.submitter, run.record, chosen)) if step.to else ()
    title = run.render(step.title or step.name or "通知")
    run.emit(fx.Notify(step.channel, users, title, run.render(step.message), path, step.webhook, step.secret))
    who = "、".join(users) or step.channel
    run.log("notified", f"通知 {who}", f"notified {who}", step=path, channel=step.channel, users=list(users))


def check_message(c: FlowChecker, path: str, step: _Message) -> None:
    """The recipients of a notify step or action; its title and message are templates."""
    for part, text in (("title", step.title or getattr(step, "name", None)), ("message", step.message)):
        c.template(text, f"{path}.{part}")
    if step.to is not None:
        c.recipients(f"{path}.to", step.to)


class NotifyStep(_Message, StepType):
    """cc / notify: tell people without asking them anything."""

    type: Literal["notify", "cc"]
    label = "抄送 / 通知"
    sample = {"type": "cc", "to": {"users": ["admin"]}, "message": "记录已提交"}
    name: str = "通知"

    def check(self, c: FlowChecker, path: str) -> None:
        check_message(c, path, self)

    def enter(self, run: Run, path: str) -> bool:
        message(run, path, self)
        return True


__all__ = ["NotifyStep", "check_message", "message"]
