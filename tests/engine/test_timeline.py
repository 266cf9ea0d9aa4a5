"""Timeline windows, spans and overdue (engine/forms/timeline.py), without a database: which dates a page
shows for a scale, how its columns fall, where a record sits and when it is overdue."""

from __future__ import annotations

from datetime import date

import pytest

from engine.forms.timeline import Scale, is_overdue, span, window

TODAY = date(2026, 12, 9)  # a Wednesday


@pytest.mark.parametrize("scale, first, expected", [
    ("day", None, (date(2026, 12, 2), date(2027, 1, 5))),  # a week of the past, 35 days
    ("week", None, (date(2026, 11, 23), date(2027, 3, 14))),  # from the Monday two weeks back, 16 weeks
    ("month", None, (date(2026, 11, 1), date(2027, 10, 31))),  # from last month's first day, 12 months
    ("week", date(2020, 1, 8), (date(2020, 1, 6), date(2020, 4, 26))),  # `from` aligned to its Monday
    ("month", date(2020, 2, 29), (date(2020, 2, 1), date(2021, 1, 31))),  # … to its month's first day
], ids=["day", "week", "month", "week-from-a-wednesday", "month-from-a-leap-day"])
def test_a_window_starts_at_a_column_and_spans_the_scale(scale: Scale, first: date | None,
                                                         expected: tuple[date, date]) -> None:
    w = window(scale, first, TODAY)
    assert (w.first, w.last) == expected
    assert sum(days for _day, days in w.columns()) == w.days


def test_month_columns_are_calendar_months_and_earlier_is_the_window_before() -> None:
    w = window("month", date(2027, 1, 1), TODAY)
    assert [days for _d, days in w.columns()][:3] == [31, 28, 31]
    assert window("month", w.earlier(), TODAY).later() == w.first
    week = window("week", date(2020, 1, 6), TODAY)
    assert window("week", week.earlier(), TODAY).last == date(2020, 1, 5)


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 1, 1), date(2026, 1, 5), (date(2026, 1, 1), date(2026, 1, 5))),
    (date(2026, 1, 1), None, (date(2026, 1, 1), date(2026, 1, 1))),  # no end: a point at the start
    (None, date(2026, 1, 5), (date(2026, 1, 5), date(2026, 1, 5))),  # no start: a point at the end
    (date(2026, 1, 5), date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 5))),  # reversed: still drawn
    (None, None, None),
], ids=["bar", "start-only", "end-only", "reversed", "undated"])
def test_a_record_spans_from_its_first_to_its_last_date(start: date | None, end: date | None,
                                                        expected: tuple[date, date] | None) -> None:
    assert span(start, end) == expected


def test_overdue_is_a_last_day_before_today_and_not_done() -> None:
    assert is_overdue(date(2026, 12, 1), date(2026, 12, 8), False, TODAY)
    assert not is_overdue(date(2026, 12, 1), date(2026, 12, 8), True, TODAY)
    assert not is_overdue(date(2026, 12, 1), TODAY, False, TODAY)  # due today is not late yet
    assert is_overdue(date(2026, 12, 1), None, False, TODAY)  # a point judged by its one date
    assert not is_overdue(None, None, False, TODAY)
