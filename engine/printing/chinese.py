"""Amounts and dates as Chinese documents write them: 大写金额 (12600 → 壹万贰仟陆佰元整) and
2026年12月6日.

The capitals follow the People's Bank rules for filling in bills (《正确填写票据和结算凭证的基本规定》):
one 零 for a run of zeros between digits, 零 after 元 when 角 is zero and 分 is not (325.04 → 叁佰贰拾伍元零肆分),
整 after an amount that ends at 元 and none after 角 or 分, 壹拾 for a leading ten (as a cheque writes it so that
nothing can be put in front). Where the rules allow either, the shorter form is written: no 零 after 元 when 元
is zero but 角 is not (1680.32 → 壹仟陆佰捌拾元叁角贰分), none before a 仟 that follows 万 (107000 → 壹拾万柒仟元整)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from engine.model_words import Refusal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")
GROUPS = ("", "万", "亿", "万")  # 10^0, 10^4, 10^8, 10^12 (万亿)
LIMIT = Decimal(10) ** 16  # 壹万亿 × 10000: beyond it no cheque, and no unit that reads clearly


def _group(number: int) -> str:
    """Four digits (1–9999) as 仟佰拾: 1009 → 壹仟零玖, 1010 → 壹仟零壹拾; leading zeros left to the caller."""
    text, zero = "", False
    for place, digit in zip(PLACES, f"{number:04d}", strict=True):
        if digit == "0":
            zero = bool(text)
            continue
        text += ("零" if zero else "") + DIGITS[int(digit)] + place
        zero = False
    return text


def _integer(number: int) -> str:
    """A whole number of 元 (0 < number < 10^16) in capitals, without 元."""
    groups = [(number // 10 ** (4 * i)) % 10000 for i in range(len(GROUPS) - 1, -1, -1)]
    text, zero = "", False
    for index, value in zip(range(len(GROUPS) - 1, -1, -1), groups, strict=True):
        if value == 0:
            zero = bool(text)
            continue
        if text and (zero or value < 1000):  # zeros between this group and the digits before it
            text += "零"
        text += _group(value) + GROUPS[index]
        if index == 3 and groups[1] == 0:  # 壹万亿: no 亿 group of its own to name the unit
            text += "亿"
        zero = False
    return text


def money_in_capitals(amount: Decimal | int | str) -> str:
    """An amount of 元 in Chinese capitals, rounded half up to 分: 12600 → 壹万贰仟陆佰元整,
    -0.5 → 负伍角. ValueError when it is not a number or 10^16 元 or more."""
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    if not value.is_finite():
        raise Refusal(f"不是金额：{amount!r}", f"not an amount: {amount!r}")
    cents = int((abs(value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if cents >= LIMIT * 100:
        raise Refusal(f"金额太大，无法写成大写：{amount!r}", f"amount too large for capitals: {amount!r}")
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    sign = "负" if value < 0 and cents else ""
    if cents == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"  # 325.04 → 叁佰贰拾伍元零肆分
    if fen:
        text += DIGITS[fen] + "分"
    return sign + text


def chinese_date(value: date) -> str:
    """A date as 2026年12月6日 (no leading zeros); a datetime gives its date."""
    day = value.date() if isinstance(value, datetime) else value
    return f"{day.year}年{day.month}月{day.day}日"


__all__ = ["money_in_capitals", "chinese_date"]
