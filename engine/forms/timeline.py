"""Timeline views (甘特图) of a form, part of its definition: records as bars from a start date to an end date
on a day, week or month scale, optionally grouped by a relation, select or user field.

A view names its fields; where a record falls, which window of dates a page shows and whether a bar is
overdue are decided here, from dates passed in (the engine reads no clock). The runtime asks the database
for the records of the window (builder_ui/timeline.py) and draws them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import Issue
from engine.keys import Key

if TYPE_CHECKING:
    from engine.forms.model import FormDefinition

Scale = Literal["day", "week", "month"]
SCALES: tuple[Scale, ...] = ("day", "week", "month")
DATE_TYPES = ("date",)
"""The field types a bar's ends may be: dates (a datetime's hours do not fit a day-wide column)."""
GROUP_TYPES = ("relation", "select", "user")
"""The field types a timeline groups its rows by (任务 by 项目, by 负责人, by 阶段)."""
MAX_BARS = 500
"""Bars one page draws at most (the rest is counted and the page says so: narrow the window or filter)."""


class TimelineView(BaseModel):
    """A timeline of the form: `start` and `end` name date fields (without `end`, or a record without an end
    date, a record is a point); `done` is an expression: a done record is never overdue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = None
    start: str
    end: str | None = None
    group_by: str | None = None
    done: str | None = Field(default=None, max_length=1000)
    scale: Scale = "week"

    def label(self) -> str:
        return self.name


def timeline_issues(form: FormDefinition, where: str) -> list[Issue]:
    """Repeated keys, ends that are not date fields of the form, a group field of another type."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for i, view in enumerate(form.timelines):
        path = f"{where}.timelines[{i}]"
        if view.key in seen:
            issues.append(Issue(f"{path}.key", "duplicate_key", f"时间线 {view.key} 重复",
                                f"duplicate timeline key {view.key!r}"))
        seen.add(view.key)
        for option in ("start", "end"):
            key = getattr(view, option)
            if key is None:
                continue
            field = form.by_key.get(key)
            if field is None:
                issues.append(Issue(f"{path}.{option}", "unknown_field", f"字段 {key} 不存在",
                                    f"{key!r} is not a field of the form"))
            elif field.type not in DATE_TYPES:
                issues.append(Issue(f"{path}.{option}", "not_a_date", f"“{field.label}”不是日期字段",
                                    f"{key!r} is a {field.type} field, not a date"))
        if view.end is not None and view.end == view.start:
            issues.append(Issue(f"{path}.end", "same_field", "结束日期字段不能与开始日期字段相同",
                                "end must be another field than start"))
        if view.group_by is not None:
            group = form.by_key.get(view.group_by)
            if group is None:
                issues.append(Issue(f"{path}.group_by", "unknown_field", f"字段 {view.group_by} 不存在",
                                    f"{view.group_by!r} is not a field of the form"))
            elif group.type not in GROUP_TYPES or getattr(group, "multiple", False):
                issues.append(Issue(f"{path}.group_by", "not_groupable", f"不能按“{group.label}”分组（可按关联、单选、人员字段）",
                                    f"cannot group by a {group.type} field (relation, select or user)"))
    return issues


@dataclass(frozen=True)
class Window:
    """The dates a page shows, `first` to `last` inclusive, drawn in columns of the scale."""

    scale: Scale
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def columns(self) -> list[tuple[date, int]]:
        """(first day, number of days) of each column: days, weeks from Monday, or calendar months."""
        result = []
        day = self.first
        while day <= self.last:
            if self.scale == "day":
                nxt = day + timedelta(days=1)
            elif self.scale == "week":
                nxt = day + timedelta(days=7)
            else:
                nxt = _add_months(day, 1)
            result.append((day, (min(nxt, self.last + timedelta(days=1)) - day).days))
            day = nxt
        return result

    def offset(self, day: date) -> int:
        """Days from the window's first day (negative before it)."""
        return (day - self.first).days

    def earlier(self) -> date:
        """The first day of the window before this one (the page's ‹ link)."""
        return _start(self.scale, self.first - timedelta(days=1), back=SPANS[self.scale] - 1)

    def later(self) -> date:
        return self.last + timedelta(days=1)


SPANS: dict[Scale, int] = {"day": 35, "week": 16, "month": 12}
"""Columns per window: five weeks of days, sixteen weeks, a year of months."""


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _start(scale: Scale, day: date, back: int = 0) -> date:
    """The first day of the column holding `day`, `back` columns earlier."""
    if scale == "day":
        return day - timedelta(days=back)
    if scale == "week":
        return day - timedelta(days=day.weekday() + 7 * back)
    return _add_months(day.replace(day=1), -back)


def window(scale: Scale, first: date | None, today: date) -> Window:
    """The window from `first` (aligned to its column), or one that shows a little of the past before today."""
    begin = _start(scale, first) if first is not None else _start(scale, today, back={"day": 7, "week": 2, "month": 1}[scale])
    if scale == "month":
        end = _add_months(begin, SPANS[scale]) - timedelta(days=1)
    else:
        end = begin + timedelta(days=SPANS[scale] * (1 if scale == "day" else 7) - 1)
    return Window(scale, begin, end)


def span(start: date | None, end: date | None) -> tuple[date, date] | None:
    """A record's first and last day: a point when one of them is blank; None without either. An end before
    the start is drawn from the end to the start (the record is still shown, and can be dragged right)."""
    first, last = start or end, end or start
    if first is None or last is None:
        return None
    return (first, last) if first <= last else (last, first)


def is_overdue(start: date | None, end: date | None, done: bool, today: date) -> bool:
    """Not done and its last day (the end, else the start of a point) is before today."""
    last = end or start
    return not done and last is not None and last < today


__all__ = ["GROUP_TYPES", "MAX_BARS", "SCALES", "SPANS", "Scale", "TimelineView", "Window", "is_overdue", "span",
           "timeline_issues", "window"]
