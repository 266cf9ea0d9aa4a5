"""Working time: due times counted in working days and hours (weekends and holidays skipped).

The app definition may carry `calendar: {"holidays": [...], "workdays": [...], "hours": ["09:00", "18:00"]}`:
holidays are days off, workdays are weekend days worked instead (调休). Without it weekends are off."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from engine.flows.durations import Duration
from engine.model_words import Refusal


class BusinessCalendar(BaseModel):
    """Days off, extra working days and the working hours of one app."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)
    hours: tuple[str, str] = ("09:00", "18:00")

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: tuple[str, str]) -> tuple[str, str]:
        start, end = (time.fromisoformat(v) for v in value)
        if start >= end:
            raise Refusal("工作时间的开始应早于结束", "working hours must start before they end")
        return value

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    @property
    def opening(self) -> tuple[time, time]:
        return time.fromisoformat(self.hours[0]), time.fromisoformat(self.hours[1])


def _next_working_day(calendar: BusinessCalendar, day: date) -> date:
    day += timedelta(days=1)
    for _ in range(3660):  # ten years of holidays is a broken calendar, not a long weekend
        if calendar.is_working_day(day):
            return day
        day += timedelta(days=1)
    raise Refusal("工作日历在十年内没有一个工作日", "the calendar has no working day in ten years")


def add_working_time(start: datetime, duration: Duration, calendar: BusinessCalendar, tz: ZoneInfo) -> datetime:
    """`start` plus `duration` counted in working time: days are working days, the time part counts
    only working hours. A start outside working hours begins at the next opening."""
    opens, closes = calendar.opening
    local = start.astimezone(tz)
    day, clock = local.date(), local.time().replace(tzinfo=None)
    if not calendar.is_working_day(day) or clock >= closes:
        day, clock = _next_working_day(calendar, day), opens
    elif clock < opens:
        clock = opens
    for _ in range(duration.days):
        day = _next_working_day(calendar, day)
    remaining = timedelta(seconds=duration.seconds)
    while True:
        moment = datetime.combine(day, clock)
        left_today = datetime.combine(day, closes) - moment
        if remaining <= left_today:
            return (moment + remaining).replace(tzinfo=tz)
        remaining -= left_today
        day, clock = _next_working_day(calendar, day), opens


def add_duration(start: datetime, duration: Duration, *, business: bool, calendar: BusinessCalendar | None,
                 tz: ZoneInfo) -> datetime:
    """`start` plus a duration, in calendar time or (business=True) in working time."""
    if not business or duration.negative:
        return start + duration.delta
    return add_working_time(start, duration, calendar or BusinessCalendar(), tz)


__all__ = ["BusinessCalendar", "add_duration", "add_working_time"]
