"""Parsing numbers as people type them: 1,234.5 / １２３ / ¥1 000 / 12.5% — shared by the numeric types."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Any

from engine.errors import FieldValueError

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
_NOISE = re.compile(r"[\s,¥￥$元]")
_PLAIN = re.compile(r"-?\d+(\.\d+)?\Z", re.ASCII)

MAX_INTEGER_DIGITS = 28
"""Digits before the point: what every database and the mirror's DECIMAL(38, 10) hold exactly."""
MAX_DIGITS = 60
"""Significant digits in all; with the above, `1e999999999` and a thousand-digit string are refused
before any arithmetic (a Decimal's exponent is unbounded, and quantize would fail on it)."""


def parse_decimal(value: Any) -> Decimal:
    """Read a decimal from a number or a typed string; floats go through their shortest repr."""
    if isinstance(value, bool):
        raise FieldValueError("应为数字", "expected a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        # Plain digits (how stored values and most API input arrive) skip the clean-up of typed text.
        text = value if _PLAIN.match(value) else _NOISE.sub("", value.translate(_FULL_WIDTH))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldValueError(f"“{value}”不是数字", f"{value!r} is not a number") from None
    else:
        raise FieldValueError("应为数字", "expected a number")
    if not number.is_finite():
        raise FieldValueError("应为有限的数字", "expected a finite number")
    if number and (number.adjusted() >= MAX_INTEGER_DIGITS or number.adjusted() < -MAX_DIGITS
                   or len(number.as_tuple().digits) > MAX_DIGITS):
        raise FieldValueError(f"数字超出范围（整数部分最多 {MAX_INTEGER_DIGITS} 位，有效数字最多 {MAX_DIGITS} 位）",
                              f"the number is out of range (at most {MAX_INTEGER_DIGITS} digits before the point, "
                              f"{MAX_DIGITS} significant digits)")
    return number


def check_bounds(number: Decimal, low: Decimal | None, high: Decimal | None) -> None:
    """Refuse a number outside [low, high]."""
    if low is not None and number < low:
        raise FieldValueError(f"不能小于 {low}", f"must be at least {low}")
    if high is not None and number > high:
        raise FieldValueError(f"不能大于 {high}", f"must be at most {high}")


@lru_cache(maxsize=32)
def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def exact_places(number: Decimal, places: int) -> Decimal:
    """`number` with exactly `places` decimals; more decimals than that are refused, never rounded."""
    with localcontext() as wide:  # 28 integer digits and 10 places exceed the default precision of 28
        wide.prec = MAX_DIGITS + 20
        exact = number.quantize(_quantum(places))
    if exact != number:
        raise FieldValueError(f"最多 {places} 位小数", f"at most {places} decimal places")
    return exact
