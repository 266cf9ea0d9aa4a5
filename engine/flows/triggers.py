"""Which record changes start a flow, and when a date-relative flow fires for a record (pure)."""

from __future__ import annotations

import calendar as months
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.nodes import BOOL
from engine.flows.durations import parse_duration
from engine.flows.model import FlowDefinition
from engine.forms.expressions import checked, row_values
from engine.forms.model import FormDefinition


def condition_holds(form: FormDefinition, text: str | None, values: dict[str, Any], now: datetime, tz: ZoneInfo,
                    user: str | None = None) -> bool:
    """A trigger's `when` on a record's values: no condition holds; a blank result does not."""
    if text is None:
        return True
    return evaluate(checked(form, text, BOOL), row_values(form, values), EvalContext(now, tz, user)) is True


def starts_on(flow: FlowDefinition, action: str, form: FormDefinition, before: dict[str, Any],
              after: dict[str, Any], now: datetime, tz: ZoneInfo, user: str | None = None) -> bool:
    """Does this create, update or delete start the flow? (update: one of `fields` changed; then `when`
    holds — on the new values, or on a deleted record's last ones)."""
    trigger = flow.trigger
    if not flow.enabled or trigger.on != action:
        return False
    if action == "update":
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        if trigger.fields and not changed.intersection(trigger.fields):
            return False
        if not changed:
            return False
    return condition_holds(form, trigger.when, before if action == "delete" else after, now, tz, user)


def button_offered(flow: FlowDefinition, form: FormDefinition, values: dict[str, Any], now: datetime, tz: ZoneInfo,
                   user: str | None = None) -> bool:
    """Is a button flow's button shown on this record (and may it be pressed)? Enabled, and `when` holds."""
    return flow.enabled and flow.trigger.on == "button" and condition_holds(form, flow.trigger.when, values, now, tz,
                                                                             user)


def _moment(value: Any, at: str, tz: ZoneInfo) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=tz)
        return datetime.combine(date.fromisoformat(value), time.fromisoformat(at), tzinfo=tz)
    except ValueError:
        return None


def _shift(moment: datetime, years: int = 0, months_: int = 0) -> datetime:
    month0 = moment.month - 1 + months_ + 12 * years
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    day = min(moment.day, months.monthrange(year, month)[1])  # 29 Feb -> 28 Feb; 31 -> month end
    return moment.replace(year=year, month=month, day=day)


def fire_at(flow: FlowDefinition, data: dict[str, Any], now: datetime, tz: ZoneInfo) -> datetime | None:
    """When a date-relative flow next fires for a record: field + offset (at `at` o'clock for a date),
    moved on by the repeat until it is after `now`; None for a blank date or a past one-off."""
    trigger = flow.trigger
    base = _moment(data.get(trigger.field or ""), trigger.at, tz)
    if base is None:
        return None
    offset = parse_duration(trigger.offset).delta if trigger.offset else None
    step = {"yearly": (1, 0), "monthly": (0, 1)}.get(trigger.repeat or "")
    for n in range(0, 1200 if step else 1):
        moment = _shift(base, step[0] * n, step[1] * n) if step else base
        if offset is not None:
            moment += offset
        if moment > now:
            return moment
    return None


__all__ = ["button_offered", "condition_holds", "starts_on", "fire_at"]
