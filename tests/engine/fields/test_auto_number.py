"""auto_number: QT-202611-0001, rendered from a pattern; the sequence restarts when its scope changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
QUOTE = parse_field({"key": "no", "type": "auto_number", "label": "报价单号", "pattern": "QT-{YYYY}{MM}-{seq:4}"})
NOV_24 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def test_auto_number_scope_follows_local_time_and_restarts_monthly() -> None:
    end_of_november_utc = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # already 1 December in Beijing
    assert QUOTE.scope(NOV_24) == "QT-202611-"
    assert QUOTE.scope(end_of_november_utc) == "QT-202612-"
    assert QUOTE.render(end_of_november_utc, 7) == "QT-202612-0007"


@pytest.mark.parametrize(("pattern", "seq", "rendered", "scope"), [
    ("KH-{seq:6}", 42, "KH-000042", "KH-"),  # never restarts
    ("{YY}{MM}{DD}-{seq}", 3, "261124-3", "261124-"),  # daily
    ("HT{YYYY}{seq:3}号", 1234, "HT20261234号", "HT2026号"),  # wider than the padding: all digits kept
], ids=["never-restarts", "daily", "overflow"])
def test_auto_number_renders_date_parts_and_padded_sequence(pattern: str, seq: int, rendered: str, scope: str) -> None:
    field = parse_field({"key": "no", "type": "auto_number", "label": "编号", "pattern": pattern})
    assert field.render(NOV_24, seq) == rendered and field.scope(NOV_24) == scope


def test_auto_number_timezone_option_decides_the_date() -> None:
    utc = parse_field({"key": "no", "type": "auto_number", "label": "编号", "pattern": "{YYYY}{MM}{DD}-{seq}",
                       "timezone": "UTC"})
    assert utc.render(datetime(2026, 11, 30, 17, 0, tzinfo=UTC), 1) == "20261130-1"


@pytest.mark.parametrize(("options", "message"), [
    ({"pattern": "SJ-{YYYY}"}, "exactly one {seq}"),
    ({"pattern": "{seq}-{seq:4}"}, "exactly one {seq}"),
    ({"pattern": "{YYYYMM}-{seq}"}, "unknown pattern parts"),
    ({"pattern": "{seq}", "timezone": "Mars/Base"}, "unknown time zone"),
], ids=["no-seq", "two-seqs", "unknown-part", "bad-zone"])
def test_auto_number_refuses_a_bad_pattern(options: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_field({"key": "no", "type": "auto_number", "label": "编号", **options})


def test_auto_number_accepts_historic_numbers_on_import() -> None:
    assert QUOTE.computed and QUOTE.normalize(" QT-201901-0099 ", CTX) == "QT-201901-0099"
    with pytest.raises(FieldValueError):
        QUOTE.normalize(["QT"], CTX)
