"""notify / cc: a message to people (in-app, e-mail) or to a group robot (DingTalk, WeCom)."""

from __future__ import annotations

from typing import Any

from engine.flows import effects as fx
from engine.flows.approvers import resolve
from engine.flows.run import Run


def message(run: Run, path: str, step: Any) -> None:
    """Emit the Notify effect of a notify step or action (they share their fields)."""
    users = tuple(resolve(step.to, run.ctx.org, run.state.submitter, run.record)) if step.to else ()
    title = run.render(step.title or step.name or "通知")
    run.emit(fx.Notify(step.channel, users, title, run.render(step.message), path, step.webhook, step.secret))
    who = "、".join(users) or step.channel
    run.log("notified", f"通知 {who}", f"notified {who}", step=path, channel=step.channel, users=list(users))


def enter(run: Run, path: str, step: Any) -> bool:
    message(run, path, step)
    return True
