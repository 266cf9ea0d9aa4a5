"""大写金额 and Chinese dates, by the rules for filling in bills (engine/printing/chinese.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.printing.chinese import DIGITS, chinese_date, money_in_capitals

CAPITALS = [
    ("12600", "壹万贰仟陆佰元整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),  # a leading ten keeps its 壹, as on a cheque
    ("15", "壹拾伍元整"),
    ("110", "壹佰壹拾元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),  # a zero between digits: 零; ends at 角: no 整
    ("6007.14", "陆仟零柒元壹角肆分"),  # a run of zeros: one 零
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),  # 元 zero, 角 not: the shorter form, no 零
    ("107000.53", "壹拾万柒仟元伍角叁分"),  # 万 digit zero, 仟 not: no 零
    ("100700", "壹拾万零柒佰元整"),  # zeros across the 万 boundary
    ("1000700", "壹佰万零柒佰元整"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),  # 角 zero, 分 not: 零 after 元
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("20.30", "贰拾元叁角"),
    ("0.5", "伍角"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    ("0", "零元整"),
    ("0.004", "零元整"),  # rounds to nothing
    ("0.005", "壹分"),  # half up
    ("2.675", "贰元陆角捌分"),  # exact decimals: 2.675 is not 2.67499…
    ("100000", "壹拾万元整"),
    ("1000001", "壹佰万零壹元整"),
    ("100000000", "壹亿元整"),
    ("100010000", "壹亿零壹万元整"),
    ("100000001", "壹亿零壹元整"),
    ("1000000000000", "壹万亿元整"),
    ("1234500000000", "壹万贰仟叁佰肆拾伍亿元整"),
    ("1000000010000", "壹万亿零壹万元整"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("-12600", "负壹万贰仟陆佰元整"),
    ("-0.5", "负伍角"),
    ("-0.001", "零元整"),  # no 负 before nothing
]


@pytest.mark.parametrize(("amount", "words"), CAPITALS, ids=[a for a, _ in CAPITALS])
def test_money_in_capitals_follows_the_bill_rules(amount: str, words: str) -> None:
    assert money_in_capitals(Decimal(amount)) == words


def test_money_in_capitals_takes_ints_and_text() -> None:
    assert money_in_capitals(12600) == money_in_capitals("12600.00") == "壹万贰仟陆佰元整"


@pytest.mark.parametrize("amount", ["10000000000000000", "-10000000000000000", "NaN", "Infinity"])
def test_money_in_capitals_refuses_what_it_cannot_write(amount: str) -> None:
    with pytest.raises(ValueError):
        money_in_capitals(Decimal(amount))


@given(st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1))
def test_every_amount_has_capitals_without_double_zeros_or_trailing_zero(cents: int) -> None:
    words = money_in_capitals(Decimal(cents) / 100)
    assert "零零" not in words
    assert not words.endswith("零")
    assert not words.startswith("零") or words == "零元整"
    assert words.endswith(("整", "角", "分"))
    assert words.startswith("负") == (cents < 0)
    # every non-zero digit of the amount is written, in order, and nothing else
    assert [DIGITS.index(c) for c in words if c in DIGITS[1:]] == [int(d) for d in str(abs(cents)) if d != "0"]


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 12, 6), "2026年12月6日"),
        (date(2027, 1, 1), "2027年1月1日"),
        (datetime(2026, 3, 9, 23, 59), "2026年3月9日"),
    ],
    ids=str,
)
def test_chinese_date_has_no_leading_zeros(day: date, text: str) -> None:
    assert chinese_date(day) == text


@pytest.mark.parametrize(
    ("expression", "result"),
    [
        ("CNMONEY(12600)", "壹万贰仟陆佰元整"),
        ("CNMONEY(NULL)", None),
        ("CNMONEY(10000000000000000)", None),  # too large to write: blank, never an error in a formula
        ("CNDATE(DATE(2026, 12, 6))", "2026年12月6日"),
    ],
    ids=str,
)
def test_the_expression_functions_write_chinese(expression: str, result: str | None) -> None:
    from zoneinfo import ZoneInfo

    from engine.expr.evaluate import EvalContext, evaluate
    from engine.expr.scope import Scope
    from engine.expr.typecheck import check
    from engine.forms.model import FormDefinition

    checked = check(expression, Scope(FormDefinition(key="x", name="x"), {}))
    assert evaluate(checked, {}, EvalContext(datetime(2026, 12, 6), ZoneInfo("Asia/Shanghai"))) == result
