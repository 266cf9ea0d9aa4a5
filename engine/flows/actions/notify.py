"""notify (as an action): the notify step's message, among other actions."""

from __future__ import annotations

from typing import Literal

from engine.flows.actions.base import ActionStep
from engine.flows.checker import FlowChecker
from engine.flows.parts import _Message
from engine.flows.run import Run
from engine.flows.steps.notify import check_message, message


class NotifyAction(_Message, ActionStep):
    """The notify step as an action."""

    action: Literal["notify"]
    label = "发送通知"
    sample = {"type": "action", "action": "notify", "to": {"users": ["admin"]}, "message": "记录已处理"}

    def check(self, c: FlowChecker, path: str) -> None:
        check_message(c, path, self)

    def act(self, run: Run, path: str) -> None:
        message(run, path, self)


__all__ = ["NotifyAction"]
