"""ROUND, ROUNDUP, ROUNDDOWN, ABS, MOD, POWER, INT — exact decimals, rounding half away from zero
as Excel does. SQL only on PostgreSQL (NUMERIC); SQLite would compute in floating point."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Integer, Numeric, cast, func, literal

from engine.expr.functions.base import Function, typed
from engine.expr.nodes import NUMBER


def _places(digits: Any) -> Decimal:
    return Decimal(1).scaleb(-int(digits))


def _round(mode: str) -> Any:
    def run(value: Any, digits: Any = 0) -> Any:
        if value is None or digits is None:
            return None
        try:
            return value.quantize(_places(digits), rounding=mode)
        except InvalidOperation:  # more places than exact decimals hold: the value already has fewer
            return value
    return run


def _mod(a: Any, b: Any) -> Any:
    if a is None or b is None or b == 0:
        return None
    return a - b * (a / b).to_integral_value(rounding=ROUND_FLOOR)  # the sign of the divisor, as Excel


def _power(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    try:
        result = a ** b
    except (InvalidOperation, ZeroDivisionError, OverflowError):
        return None
    return None if result.is_nan() or result.is_infinite() else result


def _pg(builder: Any) -> dict[str, Any]:
    return {"postgresql": builder}


def _digits(a: list[Any]) -> Any:
    """ROUND's places in SQL as Python takes them: truncated toward zero (a CAST would round 1.5 to 2)."""
    return cast(func.trunc(a[1]), Integer) if len(a) > 1 else 0


def _pg_round_toward(a: list[Any], down: bool) -> Any:
    # 10 cast to NUMERIC: a bare integer parameter makes power() and all after it double precision
    # (ROUNDUP(80073.623, 4) came out 80073.6231)
    scale = func.power(cast(literal(10), Numeric), _digits(a))
    inner = func.abs(a[0]) * scale
    magnitude = (func.floor(inner) if down else func.ceil(inner)) / scale
    return func.sign(a[0]) * magnitude


N = "number"


FUNCTIONS: tuple[Function, ...] = (
    Function("ROUND", 1, 2, typed(NUMBER, N, N), _round(ROUND_HALF_UP),
             {**_pg(lambda a: func.round(cast(a[0], Numeric), _digits(a))),
              "duckdb": lambda a: func.round(a[0], _digits(a))},
             "四舍五入到指定小数位", "ROUND(amount * 0.13, 2)"),
    Function("ROUNDUP", 1, 2, typed(NUMBER, N, N), _round(ROUND_UP), _pg(lambda a: _pg_round_toward(a, False)),
             "远离零方向进位", "ROUNDUP(annual_revenue / 12, 0)"),
    Function("ROUNDDOWN", 1, 2, typed(NUMBER, N, N), _round(ROUND_DOWN), _pg(lambda a: _pg_round_toward(a, True)),
             "向零方向舍去", "ROUNDDOWN(amount, -3)"),
    Function("ABS", 1, 1, typed(NUMBER, N), lambda v: None if v is None else abs(v),
             dict.fromkeys(("postgresql", "sqlite", "duckdb"), lambda a: func.abs(a[0])), "绝对值", "ABS(planned_amount - amount)"),
    Function("MOD", 2, 2, typed(NUMBER, N, N), _mod,
             _pg(lambda a: a[0] - a[1] * func.floor(a[0] / func.nullif(a[1], 0))),
             "取余数（符号随除数）", "MOD(period, 3)"),
    Function("POWER", 2, 2, typed(NUMBER, N, N), _power, {}, "乘方", "POWER(1 + probability, 2)"),
    Function("INT", 1, 1, typed(NUMBER, N), lambda v: None if v is None else v.to_integral_value(rounding=ROUND_FLOOR),
             dict.fromkeys(("postgresql", "duckdb"), lambda a: func.floor(a[0])), "向下取整", "INT(amount / 10000)"),
)
