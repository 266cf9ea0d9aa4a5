"""Durations, working time, cron schedules and date-relative triggers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.app_check import parse_app
from engine.flows.calendar import BusinessCalendar, add_duration
from engine.flows.cron import Cron
from engine.flows.durations import Duration, parse_duration
from engine.flows.triggers import fire_at
from tests.flows import tickets

SH = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(("text", "expected"), [
    ("P3D", Duration(3, 0)), ("PT2H", Duration(0, 7200)), ("-P30D", Duration(30, 0, True)),
    ("P1W", Duration(7, 0)), ("P1DT4H30M", Duration(1, 4 * 3600 + 1800)),
], ids=["days", "hours", "negative", "week", "mixed"])
def test_iso_durations_parse(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["P", "PT", "3 days", "P1Y", "", "P1DT"], ids=repr)
def test_malformed_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_duration(text)


@pytest.mark.parametrize(("start", "duration", "expected"), [
    (local(2026, 11, 27, 16), "PT4H", local(2026, 11, 30, 11)),  # Friday 16:00 + 4 working hours
    (local(2026, 11, 28, 12), "PT1H", local(2026, 11, 30, 10)),  # Saturday: starts Monday 09:00
    (local(2026, 11, 23, 20), "P1D", local(2026, 11, 25, 9)),  # after hours: from Tuesday 09:00, one day on
    (local(2026, 11, 23, 7), "PT2H", local(2026, 11, 23, 11)),  # before opening
], ids=["over-the-weekend", "from-saturday", "after-hours", "before-opening"])
def test_working_time_skips_nights_and_weekends(start: datetime, duration: str, expected: datetime) -> None:
    assert add_duration(start, parse_duration(duration), business=True, calendar=None, tz=SH) == expected


def test_holidays_are_skipped_and_extra_workdays_worked() -> None:
    calendar = BusinessCalendar(holidays=[date(2026, 10, 1), date(2026, 10, 2)], workdays=[date(2026, 10, 10)])
    start = local(2026, 9, 30, 10)  # Wednesday
    assert add_duration(start, parse_duration("P1D"), business=True, calendar=calendar, tz=SH) == local(2026, 10, 5, 10)
    start = local(2026, 10, 9, 10)  # Friday; Saturday the 10th is a 调休 workday
    assert add_duration(start, parse_duration("P1D"), business=True, calendar=calendar, tz=SH) == local(2026, 10, 10, 10)


@pytest.mark.parametrize(("cron", "after", "expected"), [
    ("0 9 * * *", local(2026, 11, 23, 10), local(2026, 11, 24, 9)),
    ("0 9 * * *", local(2026, 11, 23, 8, 59), local(2026, 11, 23, 9)),
    ("*/15 * * * *", local(2026, 11, 23, 10, 1), local(2026, 11, 23, 10, 15)),
    ("0 9 * * 1-5", local(2026, 11, 27, 10), local(2026, 11, 30, 9)),  # Friday -> Monday
    ("30 8 1 * *", local(2026, 11, 23), local(2026, 12, 1, 8, 30)),
    ("0 0 29 2 *", local(2026, 3, 1), local(2028, 2, 29)),  # a leap day
    ("0 12 * * 0", local(2026, 11, 23), local(2026, 11, 29, 12)),  # Sunday as 0
], ids=["daily-tomorrow", "daily-today", "every-15-min", "weekdays", "monthly", "leap-day", "sunday"])
def test_cron_finds_the_next_matching_minute(cron: str, after: datetime, expected: datetime) -> None:
    assert Cron.parse(cron).next_after(after, SH) == expected


@pytest.mark.parametrize("cron", ["* * * *", "60 * * * *", "a * * * *", "* * 0 * *", "*/0 * * * *"], ids=repr)
def test_bad_cron_is_refused(cron: str) -> None:
    with pytest.raises(ValueError):
        Cron.parse(cron)


def _date_flow(**trigger: object) -> object:
    app = parse_app(tickets({"key": "d", "name": "d", "form": "ticket",
                             "trigger": {"on": "date", "field": "due_on", **trigger}, "steps": []}))
    return app.flows[0]


def test_date_trigger_fires_offset_before_the_date_at_its_hour() -> None:
    flow = _date_flow(offset="-P30D", at="09:00")
    assert fire_at(flow, {"due_on": "2027-01-31"}, datetime(2026, 11, 1, tzinfo=UTC), SH) == local(2027, 1, 1, 9)
    assert fire_at(flow, {"due_on": "2026-11-02"}, datetime(2026, 11, 1, tzinfo=UTC), SH) is None  # already past
    assert fire_at(flow, {}, datetime(2026, 11, 1, tzinfo=UTC), SH) is None


def test_yearly_and_monthly_repeats_find_the_next_occurrence() -> None:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert fire_at(_date_flow(repeat="yearly"), {"due_on": "2019-02-28"}, now, SH) == local(2027, 2, 28, 9)
    assert fire_at(_date_flow(repeat="monthly"), {"due_on": "2026-01-31"}, now, SH) == local(2026, 11, 30, 9)


def _brute_next(cron: Cron, after: datetime) -> datetime:
    """The slow, obviously right answer: try every minute."""
    from datetime import timedelta

    moment = after.astimezone(SH).replace(second=0, microsecond=0) + timedelta(minutes=1)
    while True:
        naive = moment.replace(tzinfo=None)
        if naive.minute in cron.minutes and naive.hour in cron.hours and cron._day_matches(naive):
            return moment
        moment += timedelta(minutes=1)


@settings(max_examples=60, deadline=None)
@given(minute=st.sampled_from(["*", "0", "*/15", "5,35", "10-20"]), hour=st.sampled_from(["*", "9", "8-18/2", "23"]),
       day=st.sampled_from(["*", "1", "15", "1-7"]), weekday=st.sampled_from(["*", "1-5", "0", "6"]),
       after=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)))
def test_cron_next_after_agrees_with_a_minute_by_minute_scan(minute: str, hour: str, day: str, weekday: str,
                                                            after: datetime) -> None:
    cron = Cron.parse(f"{minute} {hour} {day} * {weekday}")
    start = after.replace(tzinfo=SH)
    assert cron.next_after(start, SH) == _brute_next(cron, start)


def _brute_working(start: datetime, minutes: int, calendar: BusinessCalendar) -> datetime:
    """Step minute by minute, counting only minutes inside working hours of working days."""
    from datetime import timedelta

    opens, closes = calendar.opening
    moment = start.astimezone(SH).replace(second=0, microsecond=0)
    while minutes:
        if calendar.is_working_day(moment.date()) and opens <= moment.time().replace(tzinfo=None) < closes:
            minutes -= 1
        moment += timedelta(minutes=1)
    # land on the minute the last working minute ended; the next opening when that is the close of a day
    return moment


@settings(max_examples=40, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 9, 25), max_value=datetime(2026, 10, 20)),
       hours=st.integers(min_value=1, max_value=30), minutes=st.integers(min_value=0, max_value=59))
def test_working_hours_agree_with_counting_minute_by_minute(start: datetime, hours: int, minutes: int) -> None:
    calendar = BusinessCalendar(holidays=[date(2026, 10, 1), date(2026, 10, 2)], workdays=[date(2026, 10, 10)])
    begin = start.replace(second=0, microsecond=0, tzinfo=SH)
    fast = add_duration(begin, parse_duration(f"PT{hours}H{minutes}M"), business=True, calendar=calendar, tz=SH)
    assert fast == _brute_working(begin, hours * 60 + minutes, calendar)
