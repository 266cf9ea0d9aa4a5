"""wait: a duration, or until a date field (plus an offset); a date already past does not wait."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import field_validator, model_validator

from engine.flows.checker import DATE_TYPES, FlowChecker
from engine.flows.parts import _duration
from engine.flows.run import Run
from engine.flows.steps.base import StepType
from engine.keys import Key
from engine.model_words import Refusal


def moment_of(value: object, run: Run) -> datetime | None:
    """A stored date (midnight, local time) or datetime value as an aware moment."""
    if not isinstance(value, str | date):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=run.ctx.timezone)
    return datetime.combine(value, time(0), tzinfo=run.ctx.timezone)


class WaitStep(StepType):
    """Pause for a duration, or until a date field (plus an offset)."""

    type: Literal["wait"]
    label = "等待"
    sample = {"type": "wait", "duration": "P1D"}
    name: str = "等待"
    duration: str | None = None
    until: Key | None = None
    offset: str | None = None
    business: bool = False

    _durations = field_validator("duration", "offset")(lambda cls, v: _duration(v))

    @model_validator(mode="after")
    def _one(self) -> WaitStep:
        if (self.duration is None) == (self.until is None):
            raise Refusal('等待步骤需要 "duration" 或 "until"，只能填一个',
                          'a wait step needs exactly one of "duration" and "until"')
        return self

    def check(self, c: FlowChecker, path: str) -> None:
        if self.until:
            c.field(f"{path}.until", self.until, DATE_TYPES)

    def enter(self, run: Run, path: str) -> bool:
        if self.duration is not None:
            at = run.after(self.duration, self.business)
        else:
            base = moment_of(run.record.get(self.until or ""), run)
            if base is None:
                run.log("waited", f"“{self.until}”为空，不等待", f"{self.until!r} is blank: no wait", step=path)
                return True
            at = run.after(self.offset, self.business, base) if self.offset else base
        if at <= run.now:
            return True
        run.set_timer(f"wait:{path}", at)
        run.log("waiting", f"等待至 {at.astimezone(run.ctx.timezone):%Y-%m-%d %H:%M}",
                f"waiting until {at.isoformat()}", step=path, until=at.isoformat())
        return False


__all__ = ["WaitStep", "moment_of"]
