"""Timestamp columns read back as aware UTC datetimes on every database, whatever the stored text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, literal_column, select

from runtime.db.db import Database
from runtime.db.types import UTCDateTime

BEIJING = timezone(timedelta(hours=8))


def test_a_timestamp_written_in_any_zone_reads_back_as_the_same_moment_in_utc(db: Database) -> None:
    written = datetime(2026, 11, 28, 20, 34, 56, 123456, tzinfo=BEIJING)
    with db.read() as conn:
        read = conn.execute(select(bindparam("t", written, type_=UTCDateTime))).scalar_one()
    assert read == written
    assert read.utcoffset() == timedelta(0)
    assert (read.hour, read.microsecond) == (12, 123456)


@pytest.mark.parametrize(("stored", "expected"), [
    ("2026-11-28 12:34:56.123456", datetime(2026, 11, 28, 12, 34, 56, 123456, tzinfo=UTC)),
    ("2026-11-28 12:34:56", datetime(2026, 11, 28, 12, 34, 56, tzinfo=UTC)),
    ("2026-11-28 20:34:56+08:00", datetime(2026, 11, 28, 12, 34, 56, tzinfo=UTC)),
], ids=["naive-micro", "naive", "offset"])
def test_sqlite_timestamp_text_reads_as_utc_with_or_without_an_offset(db: Database, stored: str,
                                                                      expected: datetime) -> None:
    if db.dialect != "sqlite":
        pytest.skip("PostgreSQL stores timestamptz, not text")
    with db.read() as conn:
        read = conn.execute(select(literal_column(f"'{stored}'", type_=UTCDateTime))).scalar_one()
    assert read == expected
    assert read.utcoffset() == timedelta(0)
