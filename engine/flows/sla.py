"""An approval task's time limit (SLA): the one-stage `due` and the staged `sla`, and the timers that carry them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from engine.flows.parts import _duration, _Model
from engine.model_words import Refusal


class Due(_Model):
    """When a task is due, counted in calendar or working time, and what happens when it passes (the one-stage
    SLA; `sla` has several)."""

    after: str
    business: bool = False
    action: Literal["remind", "escalate", "approve", "reject"] = "remind"
    escalate_to: list[str] | None = Field(default=None, min_length=1)
    """escalate: to these users instead of the next level up."""

    _after = field_validator("after")(lambda cls, v: _duration(v))


StageAction = Literal["remind", "escalate", "auto_approve", "auto_reject"]


class Stage(_Model):
    """One stage of a task's SLA: this long after the task opened (calendar or working time), do this."""

    after: str
    do: StageAction
    to: list[str] | None = Field(default=None, min_length=1)
    """escalate: to these users instead of the next level up."""
    business: bool = False

    _after = field_validator("after")(lambda cls, v: _duration(v))

    @model_validator(mode="after")
    def _to_only_to_escalate(self) -> Stage:
        if self.to is not None and self.do != "escalate":
            raise Refusal('"to" 只用于 "do": "escalate"（升级）', '"to" is only for "do": "escalate"')
        return self


_DO: dict[str, StageAction] = {"remind": "remind", "escalate": "escalate", "approve": "auto_approve", "reject": "auto_reject"}


def one_due(value: Any) -> Any:
    """`"PT4H"` is short for `{"after": "PT4H"}`."""
    return {"after": value} if isinstance(value, str) else value


def as_stages(due: Due | None, sla: list[Stage] | None) -> list[Stage]:
    """The SLA as stages, whichever form a step uses (a `due` is one stage)."""
    if sla is not None:
        return list(sla)
    if due is None:
        return []
    return [Stage(after=due.after, do=_DO[due.action], business=due.business,
                  to=due.escalate_to if due.action == "escalate" else None)]




def due_key(task: str, stage: int) -> str:
    """The timer of a task's SLA stage: `due:t3` for the first (as before stages), `due:t3:2` for later ones."""
    return f"due:{task}" if stage == 0 else f"due:{task}:{stage}"


__all__ = ["Due", "Stage", "StageAction", "as_stages", "due_key", "one_due"]
