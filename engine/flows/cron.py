"""Cron schedules (`0 9 * * 1-5`): minute, hour, day of month, month, day of week (0 or 7 = Sunday).

Evaluated in local time (the runtime passes the time zone); `next_after` finds the next moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.model_words import Refusal

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ("minute", "hour", "day of month", "month", "day of week")
_ZH = dict(zip(_NAMES, ("分钟", "小时", "日期", "月份", "星期"), strict=True))


def _field(text: str, lo: int, hi: int, name: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise Refusal(f"{_ZH[name]}的间隔 {step_text!r} 无效", f"bad step {step_text!r} in the {name} field")
        if body == "*":
            start, end = lo, hi
        elif "-" in body:
            a, _, b = body.partition("-")
            if not (a.isdigit() and b.isdigit()):
                raise Refusal(f"{_ZH[name]}的范围 {body!r} 无效", f"bad range {body!r} in the {name} field")
            start, end = int(a), int(b)
        elif body.isdigit():
            start = end = int(body)
            if step:
                end = hi
        else:
            raise Refusal(f"{_ZH[name]}的值 {body!r} 无效", f"bad value {body!r} in the {name} field")
        if not lo <= start <= end <= hi:
            raise Refusal(f"{_ZH[name]}的值 {body!r} 不在 {lo}-{hi} 之间", f"{body!r} is outside {lo}-{hi} in the {name} field")
        values.update(range(start, end + 1, step or 1))
    return frozenset(values)


@dataclass(frozen=True)
class Cron:
    """A parsed five-field cron expression."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> Cron:
        parts = text.split()
        if len(parts) != 5:
            raise Refusal(f"{text!r}：定时表达式应有 5 段（分 时 日 月 星期）",
                          f"{text!r}: a cron schedule has 5 fields (minute hour day month weekday)")
        fields = [_field(p, lo, hi, n) for p, (lo, hi), n in zip(parts, _RANGES, _NAMES, strict=True)]
        weekdays = frozenset(d % 7 for d in fields[4])
        return cls(fields[0], fields[1], fields[2], fields[3], weekdays, parts[2] == "*", parts[4] == "*")

    def _day_matches(self, moment: datetime) -> bool:
        if moment.month not in self.months:
            return False
        by_day = moment.day in self.days
        by_weekday = (moment.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:  # cron's rule: both restricted means either may match
            return by_day and by_weekday
        return by_day or by_weekday

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime:
        """The first matching minute strictly after `moment`, as an aware datetime."""
        local = moment.astimezone(tz).replace(second=0, microsecond=0, tzinfo=None) + timedelta(minutes=1)
        for _ in range(366 * 5):
            if self._day_matches(local):
                for hour in sorted(h for h in self.hours if h >= local.hour):
                    start = local.minute if hour == local.hour else 0
                    minute = min((m for m in self.minutes if m >= start), default=None)
                    if minute is not None:
                        return local.replace(hour=hour, minute=minute).replace(tzinfo=tz)
            local = (local + timedelta(days=1)).replace(hour=0, minute=0)
        raise Refusal("这个定时永远不会触发", "the schedule never fires")


__all__ = ["Cron"]
