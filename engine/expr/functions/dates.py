"""TODAY, NOW, DATE, YEAR, MONTH, DAY, WEEKDAY, DATEADD, DATEDIF, EOMONTH, INPERIOD.

TODAY() and NOW() come from the evaluation context (an injectable clock), never from the database's
own clock. Datetimes are read in the app's time zone. WEEKDAY is ISO: Monday 1 … Sunday 7 (星期一 = 1)."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Integer, Numeric, and_, case, cast, func, null, or_

from engine.expr.functions.base import Function, fail, typed
from engine.expr.nodes import BOOL, DATE, DATETIME, NULL, NUMBER, Call, Literal, Type, Unary

D, N, T = "date", "number", "text"


def _day_of(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _add_months(day: date, months: int) -> date | None:
    """The day `months` later, clamped to the month's end; None (blank) outside years 1–9999."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    if not MINYEAR <= year <= MAXYEAR:
        return None
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shifted(value: Any, delta: Callable[[], timedelta]) -> Any:
    """value + delta; None (blank) when the result leaves the calendar or the step is too large to make,
    as for a month outside it: a date formula over any stored date gives a value or a blank, never an error."""
    try:
        return value + delta()
    except OverflowError:
        return None


def add_days(value: Any, days: Any) -> Any:
    """date + n days (fractions of a day for datetimes)."""
    if isinstance(value, datetime):
        return _shifted(value, lambda: timedelta(days=float(days)))
    return _shifted(value, lambda: timedelta(days=int(days)))


def _dateadd(value: Any, amount: Any, unit: Any = "D") -> Any:
    if value is None or amount is None or unit is None:
        return None
    n = int(amount)
    unit = str(unit).upper()
    if unit == "D":
        return _shifted(value, lambda: timedelta(days=n))
    if unit == "H" and isinstance(value, datetime):
        return _shifted(value, lambda: timedelta(hours=n))
    months = n * 12 if unit == "Y" else n
    if isinstance(value, datetime):
        moved = _add_months(value.date(), months)
        return None if moved is None else value.replace(year=moved.year, month=moved.month, day=moved.day)
    return _add_months(value, months)


def _datedif(start: Any, end: Any, unit: Any) -> Any:
    """Whole days, months or years from start to end (negative when end is earlier), as Excel counts."""
    a, b = _day_of(start), _day_of(end)
    if a is None or b is None or unit is None:
        return None
    unit = str(unit).upper()
    if unit == "D":
        return Decimal((b - a).days)
    sign = 1 if b >= a else -1
    lo, hi = (a, b) if sign > 0 else (b, a)
    months = (hi.year - lo.year) * 12 + hi.month - lo.month - (1 if hi.day < lo.day else 0)
    return Decimal(sign * (months // 12 if unit == "Y" else months))


def _unit_rule(units: tuple[str, ...], position: int) -> Any:
    base = typed(NULL, "any", "any", T)

    def rule(node: Call, args: list[Type]) -> Type:
        base(node, args)
        unit = node.args[position] if len(node.args) > position else None
        if isinstance(unit, Literal) and str(unit.value).upper() not in units:
            raise fail(node, f"{node.name} 的单位应为 {'/'.join(units)}", f"the unit of {node.name} must be {'/'.join(units)}")
        return NULL
    return rule


def _date_or_datetime(node: Call, t: Type, i: int) -> None:
    if t not in (DATE, DATETIME, NULL):
        raise fail(node, f"{node.name} 的第 {i} 个参数应为日期", f"argument {i} of {node.name} must be a date")


def _dateadd_rule(node: Call, args: list[Type]) -> Type:
    _unit_rule(("D", "M", "Y", "H"), 2)(node, args)
    _date_or_datetime(node, args[0], 1)
    typed(NULL, "any", N)(node, args[:2])
    return args[0] if args[0] != NULL else DATE


def _datedif_rule(node: Call, args: list[Type]) -> Type:
    _unit_rule(("D", "M", "Y"), 2)(node, args)
    _date_or_datetime(node, args[0], 1)
    _date_or_datetime(node, args[1], 2)
    return NUMBER


def _part_rule(node: Call, args: list[Type]) -> Type:
    _date_or_datetime(node, args[0], 1)
    return NUMBER


def _part(fn: Any) -> Any:
    return lambda v: None if v is None else Decimal(fn(_day_of(v)))


def _sql_part(fmt: str, field: str) -> dict[str, Any]:
    standard = lambda a: cast(func.extract(field, cast(a[0], Date)), Integer)  # noqa: E731
    return {"sqlite": lambda a: cast(func.strftime(fmt, a[0]), Integer), "postgresql": standard, "duckdb": standard}

def _eomonth_rule(node: Call, args: list[Type]) -> Type:
    _date_or_datetime(node, args[0], 1)
    typed(NULL, "any", N)(node, args)
    return DATE


def _safe_date(y: Decimal, m: Decimal, d: Decimal) -> date | None:
    """The day, its parts truncated to whole numbers; blank for one the calendar lacks (a 30 February, a year
    past 9999 or too large to be a number of days at all)."""
    try:
        return date(int(y), int(m), int(d))
    except (ValueError, OverflowError):
        return None


def _sql_date(args: list[Any]) -> Any:
    """DATE(y, m, d) in PostgreSQL, with Python's meaning: the parts truncated, a day the calendar lacks blank
    (make_date would fail the query), the day as ISO text as date fields are stored. The guard is plain
    arithmetic, so make_date only ever sees a real day (a false constant guard drops its branch unplanned)."""
    y, m, d = (func.trunc(cast(a, Numeric)) for a in args)
    leap = or_(and_(y % 4 == 0, y % 100 != 0), y % 400 == 0)
    days = case((m == 2, case((leap, 29), else_=28)), (m.in_([4, 6, 9, 11]), 30), else_=31)
    real = and_(y >= 1, y <= 9999, m >= 1, m <= 12, d >= 1, d <= days)
    day = func.make_date(cast(y, Integer), cast(m, Integer), cast(d, Integer))
    return case((real, func.to_char(day, "YYYY-MM-DD")), else_=null())


def _eomonth(day: date | None, months: int) -> date | None:
    if day is None:
        return None
    moved = _add_months(day.replace(day=1), months)
    return None if moved is None else moved.replace(day=calendar.monthrange(moved.year, moved.month)[1])


PERIODS = ("D", "W", "M", "Q", "Y")
"""INPERIOD's units: day, ISO week (from Monday), month, quarter, year."""


def period_range(today: date, unit: str, offset: int) -> tuple[date, date]:
    """The first day of the `unit` period `offset` periods from the one holding `today` (0: this one,
    -1: the previous), and the first day after it."""
    if unit == "D":
        start = today + timedelta(days=offset)
        return start, start + timedelta(days=1)
    if unit == "W":
        start = today - timedelta(days=today.weekday()) + timedelta(weeks=offset)
        return start, start + timedelta(weeks=1)
    months = {"M": 1, "Q": 3, "Y": 12}[unit]
    first = (today.year * 12 + today.month - 1) // months * months + offset * months
    end = first + months
    return date(first // 12, first % 12 + 1, 1), date(end // 12, end % 12 + 1, 1)


def in_period(value: Any, unit: str, offset: int, today: date) -> bool | None:
    """Whether a date (a datetime by its local day) falls in the period; blank for a blank."""
    day = _day_of(value)
    if day is None:
        return None
    start, end = period_range(today, unit, offset)
    return start <= day < end


def period_of(node: Call) -> tuple[str, int] | None:
    """INPERIOD's unit and offset as written (`"Q"`, `-1`); None when they are not a unit and a whole number."""
    unit, offset = node.args[1], node.args[2]
    sign = 1
    if isinstance(offset, Unary) and offset.op == "-":
        sign, offset = -1, offset.operand
    if not isinstance(unit, Literal) or str(unit.value).upper() not in PERIODS or not isinstance(offset, Literal) \
            or not isinstance(offset.value, Decimal) or offset.value != offset.value.to_integral_value() \
            or abs(offset.value) > 10000:
        return None
    return str(unit.value).upper(), sign * int(offset.value)


def _inperiod_rule(node: Call, args: list[Type]) -> Type:
    _date_or_datetime(node, args[0], 1)
    if period_of(node) is None:
        raise fail(node, f"INPERIOD 的第 2 个参数应为 {'/'.join(PERIODS)} 之一，第 3 个为整数（0 本期，-1 上一期）",
                   f"INPERIOD takes a unit ({'/'.join(PERIODS)}) and a whole number (0 this period, -1 the previous)")
    return BOOL


FUNCTIONS: tuple[Function, ...] = (
    Function("TODAY", 0, 0, typed(DATE), lambda: None, {}, "今天（应用时区）", "DATEDIF(last_followup_at, TODAY(), \"D\") > 3"),
    Function("NOW", 0, 0, typed(DATETIME), lambda: None, {}, "当前时刻", "NOW()"),
    Function("DATE", 3, 3, typed(DATE, N, N, N), lambda y, m, d: None if None in (y, m, d) else _safe_date(y, m, d),
             {"postgresql": _sql_date},
             "由年月日组成日期", "DATE(2026, 12, 31)"),
    Function("YEAR", 1, 1, _part_rule, _part(lambda d: d.year), _sql_part("%Y", "year"), "年份", "YEAR(signed_on)"),
    Function("MONTH", 1, 1, _part_rule, _part(lambda d: d.month), _sql_part("%m", "month"), "月份", "MONTH(signed_on)"),
    Function("DAY", 1, 1, _part_rule, _part(lambda d: d.day), _sql_part("%d", "day"), "日", "DAY(birthday)"),
    Function("WEEKDAY", 1, 1, _part_rule, _part(lambda d: d.isoweekday()), {}, "星期几（星期一为 1，星期日为 7）",
             "WEEKDAY(followed_at) <= 5"),
    Function("DATEADD", 2, 3, _dateadd_rule, _dateadd, {}, "加减天(D)/月(M)/年(Y)/小时(H)", 'DATEADD(signed_on, 1, "Y")'),
    Function("DATEDIF", 3, 3, _datedif_rule, _datedif, {}, "两个日期相差的整天(D)/整月(M)/整年(Y)",
             'DATEDIF(last_followup_at, TODAY(), "D")'),
    Function("EOMONTH", 1, 2, _eomonth_rule,
             lambda d, n=Decimal(0): None if d is None or n is None else _eomonth(_day_of(d), int(n)), {},
             "某月的最后一天", "EOMONTH(signed_on, 0)"),
    Function("INPERIOD", 3, 3, _inperiod_rule, lambda *a: None, {},
             "日期是否在相对今天的某个周期内：D 日/W 周/M 月/Q 季度/Y 年，0 本期，-1 上一期",
             'INPERIOD(signed_on, "Q", 0)'),
)
