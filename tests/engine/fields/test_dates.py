"""date and datetime: typed the Chinese way, stored so that text order is time order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import ValueContext

CTX = ValueContext()
DATE = parse_field({"key": "d", "type": "date", "label": "日期", "min": "2000-01-01"})
MOMENT = parse_field({"key": "t", "type": "datetime", "label": "时间"})


@pytest.mark.parametrize("given_", ["2026-02-28", "2026/2/28", "2026.02.28", "2026年2月28日", "２０２６－０２－２８",
                                    date(2026, 2, 28), datetime(2026, 2, 28, 23, 0)], ids=str)
def test_date_reads_common_chinese_spellings(given_: object) -> None:
    assert DATE.normalize(given_, CTX) == "2026-02-28"


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "28/02/2026", "昨天", "1999-12-31"], ids=str)
def test_date_refuses_impossible_dates_and_out_of_range(bad: str) -> None:
    with pytest.raises(FieldValueError):
        DATE.normalize(bad, CTX)


def test_aware_datetime_into_a_date_field_takes_the_local_day() -> None:
    assert DATE.normalize(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), CTX) == "2026-12-01"


@pytest.mark.parametrize(("given_", "stored"), [
    ("2026-11-24 08:30", "2026-11-24T00:30:00Z"),
    ("2026/11/24 8:30:15", "2026-11-24T00:30:15Z"),
    ("2026年11月24日 8时30分", "2026-11-24T00:30:00Z"),
    ("2026-11-24T00:30:00Z", "2026-11-24T00:30:00Z"),
    ("2026-11-24T09:30:00+09:00", "2026-11-24T00:30:00Z"),
    ("2026-11-24", "2026-11-23T16:00:00Z"),  # a bare date is local midnight
    (datetime(2026, 11, 24, 8, 30, 15, 999), "2026-11-24T00:30:15Z"),
], ids=str)
def test_datetime_without_offset_is_local_and_stored_in_utc(given_: object, stored: str) -> None:
    assert MOMENT.normalize(given_, CTX) == stored


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
       st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)))
def test_stored_datetimes_compare_as_text_like_the_moments(a: datetime, b: datetime) -> None:
    zone = timezone(timedelta(hours=8))
    sa, sb = MOMENT.normalize(a.replace(tzinfo=zone), CTX), MOMENT.normalize(b.replace(tzinfo=zone), CTX)
    assert (sa < sb) == (a.replace(microsecond=0) < b.replace(microsecond=0))
