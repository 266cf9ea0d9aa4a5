"""Function arguments at the edges, evaluated in Python (what the database's spelling is compared against in
tests/runtime/records/test_functions_agree_random.py and test_date_functions_agree.py): a count past the text,
more places than decimals hold, a day the calendar lacks — a value or a blank, never an error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.engine.test_expressions import run


@pytest.mark.parametrize(("text", "expected"), [
    ('RIGHT("abc", 5)', "abc"),  # more than there is: the whole text, not its end wrapped round
    ('RIGHT("abc", 2.9)', "bc"),  # counts are truncated
    ('LEFT("abc", -1)', ""),
    ('MID("abcdef", 0, 3)', "abc"),  # a start before the first character starts at it
    ("ROUND(600000.25, 30)", Decimal("600000.25")),  # more places than exact decimals hold: unchanged
    ("ROUND(2.5, 0.9)", Decimal(3)),  # places are truncated: 0
    ("DATE(2024, 2, 29)", date(2024, 2, 29)),
    ("DATE(2026.9, 2.5, 28.99)", date(2026, 2, 28)),
    ("DATE(2025, 2, 29)", None),
    ("DATE(100000000000000000000, 1, 1)", None),  # too large to be a year at all
], ids=lambda v: v if isinstance(v, str) else None)  # fmt: skip
def test_function_edges_give_a_value_or_a_blank(text: str, expected: Any) -> None:
    assert run(text) == expected
