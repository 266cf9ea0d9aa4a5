"""datetime: a moment stored in UTC, "YYYY-MM-DDTHH:MM:SSZ"; input without an offset is local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
MOMENT = parse_field({"key": "last_followup_at", "type": "datetime", "label": "最近跟进时间"})


@pytest.mark.parametrize(("given_", "stored"), [
    ("2026-11-24 08:30", "2026-11-24T00:30:00Z"),
    ("2026/11/24 8:30:15", "2026-11-24T00:30:15Z"),
    ("2026年11月24日 8时30分", "2026-11-24T00:30:00Z"),
    ("２０２６－１１－２４ ０８：３０", "2026-11-24T00:30:00Z"),  # full-width
    ("2026-11-24T00:30:00Z", "2026-11-24T00:30:00Z"),
    ("2026-11-24T09:30:00+09:00", "2026-11-24T00:30:00Z"),
    ("2026-11-24T08:30:00.999+08:00", "2026-11-24T00:30:00Z"),  # seconds precision: fractions dropped
    ("2026-11-24", "2026-11-23T16:00:00Z"),  # a bare date is local midnight
    (datetime(2026, 11, 24, 8, 30, 15, 999), "2026-11-24T00:30:15Z"),
    (datetime(2026, 11, 24, 0, 30, tzinfo=UTC), "2026-11-24T00:30:00Z"),
], ids=str)
def test_datetime_without_offset_is_local_and_stored_in_utc(given_: object, stored: str) -> None:
    assert MOMENT.normalize(given_, CTX) == stored


def test_naive_input_follows_the_context_time_zone() -> None:
    london = ValueContext(LITERAL_MOMENT, timezone=ZoneInfo("Europe/London"))
    assert MOMENT.normalize("2026-07-01 12:00", london) == "2026-07-01T11:00:00Z"


@pytest.mark.parametrize("bad", ["2026-11-24 25:00", "明天下午", "24/11/2026 08:30", 1700000000], ids=str)
def test_datetime_refuses_what_is_not_a_moment(bad: object) -> None:
    with pytest.raises(FieldValueError, match="不是有效的日期时间"):
        MOMENT.normalize(bad, CTX)


def test_datetime_cell_is_the_utc_text() -> None:
    assert MOMENT.to_cell("2026-11-24T00:30:00Z") == "2026-11-24T00:30:00Z"


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)),
       st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1)))
def test_stored_datetimes_compare_as_text_like_the_moments(a: datetime, b: datetime) -> None:
    zone = timezone(timedelta(hours=8))
    sa, sb = MOMENT.normalize(a.replace(tzinfo=zone), CTX), MOMENT.normalize(b.replace(tzinfo=zone), CTX)
    assert len(sa) == len(sb) == 20
    assert (sa < sb) == (a.replace(microsecond=0) < b.replace(microsecond=0))
