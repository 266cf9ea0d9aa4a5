"""wait: a duration, or until a date field (plus an offset); a date already past does not wait."""

from __future__ import annotations

from datetime import date, datetime, time

from engine.flows.model import WaitStep
from engine.flows.run import Run


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


def enter(run: Run, path: str, step: WaitStep) -> bool:
    if step.duration is not None:
        at = run.after(step.duration, step.business)
    else:
        base = moment_of(run.record.get(step.until or ""), run)
        if base is None:
            run.log("waited", f"“{step.until}”为空，不等待", f"{step.until!r} is blank: no wait", step=path)
            return True
        at = run.after(step.offset, step.business, base) if step.offset else base
    if at <= run.now:
        return True
    run.set_timer(f"wait:{path}", at)
    run.log("waiting", f"等待至 {at.astimezone(run.ctx.timezone):%Y-%m-%d %H:%M}",
            f"waiting until {at.isoformat()}", step=path, until=at.isoformat())
    return False
