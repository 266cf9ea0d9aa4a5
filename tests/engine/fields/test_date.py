"""date: a calendar day typed the Chinese way, stored "YYYY-MM-DD" so text order is date order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
SIGNED = parse_field({"key": "signed_on", "type": "date", "label": "签约日期", "min": "2000-01-01",
                      "max": "2099-12-31"})


@pytest.mark.parametrize("given_", [
    "2026-02-28", "2026/2/28", "2026.02.28", "2026年2月28日", "2026 年 2 月 28 日",
    "２０２６－０２－２８",  # full-width, from a Chinese IME
    date(2026, 2, 28), datetime(2026, 2, 28, 23, 0),
], ids=str)
def test_date_reads_common_chinese_spellings(given_: object) -> None:
    assert SIGNED.normalize(given_, CTX) == "2026-02-28"


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "28/02/2026", "昨天", "1999-12-31", "2100-01-01", 20260228],
                         ids=str)
def test_date_refuses_impossible_dates_other_orders_and_out_of_range(bad: object) -> None:
    with pytest.raises(FieldValueError):
        SIGNED.normalize(bad, CTX)


def test_aware_datetime_into_a_date_field_takes_the_day_in_the_app_time_zone() -> None:
    late_utc = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    assert SIGNED.normalize(late_utc, CTX) == "2026-12-01"  # already 1 December in Beijing
    assert SIGNED.normalize(late_utc, ValueContext(LITERAL_MOMENT, timezone=ZoneInfo("Europe/London"))) == "2026-11-30"


def test_date_cell_is_a_date() -> None:
    assert SIGNED.to_cell("2026-11-24") == date(2026, 11, 24)


def test_date_bounds_must_be_real_dates() -> None:
    with pytest.raises(ValueError):
        parse_field({"key": "d", "type": "date", "label": "日期", "min": "2026-02-30"})


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
       st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}年{m}月{d}日"]))
def test_date_parses_any_date_in_any_accepted_spelling(day: date, spelling: str) -> None:
    typed = spelling.format(y=day.year, m=day.month, d=day.day)
    assert SIGNED.normalize(typed, CTX) == day.isoformat()
    assert SIGNED.normalize(SIGNED.from_cell(SIGNED.to_cell(day.isoformat())), CTX) == day.isoformat()
