"""CNMONEY, CNDATE: amounts and dates as Chinese documents write them (print templates, text formulas).

Python only: a filter on them is refused by the type checker rather than computed differently in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine.expr.functions.base import Function, fail, typed
from engine.expr.nodes import DATE, DATETIME, NULL, TEXT, Call, Type
from engine.printing.chinese import chinese_date, money_in_capitals


def _capitals(amount: Any) -> Any:
    """Blank for a blank amount, and for one too large to write (10^16 元 or more)."""
    if amount is None:
        return None
    try:
        return money_in_capitals(amount if isinstance(amount, Decimal) else Decimal(str(amount)))
    except ValueError:
        return None


def _date_rule(node: Call, args: list[Type]) -> Type:
    if args[0] not in (DATE, DATETIME, NULL):
        raise fail(node, f"{node.name} 的第 1 个参数应为日期", f"argument 1 of {node.name} must be a date")
    return TEXT


FUNCTIONS: tuple[Function, ...] = (
    Function(
        "CNMONEY",
        1,
        1,
        typed(TEXT, "number"),
        _capitals,
        {},
        "金额的中文大写：12600 → 壹万贰仟陆佰元整",
        "CNMONEY(amount)",
    ),
    Function(
        "CNDATE",
        1,
        1,
        _date_rule,
        lambda d: None if d is None else chinese_date(d),
        {},
        "中文日期：2026年12月6日",
        "CNDATE(signed_on)",
    ),
)
