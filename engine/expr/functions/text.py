"""CONCAT, LEFT, RIGHT, MID, LEN, UPPER, LOWER, TRIM, SUBSTITUTE, CONTAINS, STARTSWITH, TEXT.
Positions and lengths count characters: a Chinese character is one."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, String, case, cast, func
from sqlalchemy.sql.elements import ColumnElement

from engine.expr.functions.base import Function, typed
from engine.expr.nodes import BOOL, NUMBER, TEXT

T, N = "text", "number"


def show(value: Any) -> str:
    """How a value reads inside text: numbers without trailing zeros, dates in ISO, blank as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _blank_in(fn: Any) -> Any:
    def run(*args: Any) -> Any:
        return None if any(a is None for a in args) else fn(*args)
    return run


def _text(value: Any, pattern: Any = None) -> Any:
    if value is None:
        return None
    if pattern is None:
        return show(value)
    if isinstance(value, Decimal):
        decimals = len(pattern.split(".")[1]) if "." in pattern else 0
        grouped = "," in pattern
        return f"{value:{',' if grouped else ''}.{decimals}f}"
    if isinstance(value, datetime | date):
        mapping = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
        return value.strftime(re.sub("YYYY|MM|DD|HH|mm|ss", lambda m: mapping[m[0]], pattern))
    return show(value)


def _concat_sql_sqlite(a: list[Any]) -> Any:
    out: ColumnElement[Any] = func.coalesce(cast(a[0], String), "")
    for part in a[1:]:
        out = out.op("||")(func.coalesce(cast(part, String), ""))
    return out


def whole(value: Any, least: int) -> Any:
    """A count or position in SQL as Python takes it: truncated toward zero (a CAST would round 2.7 up), at least
    `least` (PostgreSQL reads a negative count from the other end, or refuses it), at most any text's length."""
    truncated = func.trunc(cast(value, Numeric))  # GREATEST / LEAST would turn a blank into a bound: CASE keeps it
    return cast(case((truncated < least, least), (truncated > _LONGEST, _LONGEST), else_=truncated), Integer)


_LONGEST = 2**31 - 1


def _both(sqlite: Any, postgresql: Any, duckdb: Any = None) -> dict[str, Any]:
    """Builders per dialect; DuckDB takes PostgreSQL's spelling unless it has its own."""
    return {"sqlite": sqlite, "postgresql": postgresql, "duckdb": duckdb or postgresql}


def _pg_duck(builder: Any) -> dict[str, Any]:
    return {"postgresql": builder, "duckdb": builder}


FUNCTIONS: tuple[Function, ...] = (
    Function("CONCAT", 1, None, typed(TEXT, rest="any"), lambda *a: "".join(show(v) for v in a),
             {"sqlite": _concat_sql_sqlite}, "连接文本（空值当作空文本）", 'CONCAT(short_name, "（", level, "）")'),
    Function("LEFT", 1, 2, typed(TEXT, T, N), _blank_in(lambda s, n=Decimal(1): s[: max(int(n), 0)]),
             _both(lambda a: func.substr(a[0], 1, a[1] if len(a) > 1 else 1),
                   lambda a: func.left(a[0], whole(a[1], 0) if len(a) > 1 else 1)),
             "左起若干个字符", "LEFT(name, 2)"),
    Function("RIGHT", 1, 2, typed(TEXT, T, N), _blank_in(lambda s, n=Decimal(1): s[max(len(s) - max(int(n), 0), 0):]),
             _pg_duck(lambda a: func.right(a[0], whole(a[1], 0) if len(a) > 1 else 1)),
             "右起若干个字符", "RIGHT(phone, 4)"),
    Function("MID", 3, 3, typed(TEXT, T, N, N), _blank_in(lambda s, start, n: s[max(int(start) - 1, 0):][: max(int(n), 0)]),
             _pg_duck(lambda a: func.substr(a[0], whole(a[1], 1), whole(a[2], 0))),
             "从第几个字符起取若干个", "MID(code, 4, 6)"),
    Function("LEN", 1, 1, typed(NUMBER, T), _blank_in(lambda s: Decimal(len(s))),
             _both(lambda a: func.length(a[0]), lambda a: func.char_length(a[0]), lambda a: func.length(a[0])), "字符数", "LEN(name) > 4"),
    Function("UPPER", 1, 1, typed(TEXT, T), _blank_in(str.upper), _pg_duck(lambda a: func.upper(a[0])),
             "转大写", "UPPER(website)"),
    Function("LOWER", 1, 1, typed(TEXT, T), _blank_in(str.lower), _pg_duck(lambda a: func.lower(a[0])),
             "转小写", "LOWER(email)"),
    Function("TRIM", 1, 1, typed(TEXT, T), _blank_in(lambda s: re.sub(" +", " ", s.strip(" "))),
             {"postgresql": lambda a: func.regexp_replace(func.btrim(a[0], " "), " +", " ", "g")},
             "去掉首尾空格，连续空格变一个", "TRIM(name)"),
    Function("SUBSTITUTE", 3, 3, typed(TEXT, T, T, T), _blank_in(lambda s, old, new: s.replace(old, new) if old else s),
             _pg_duck(lambda a: func.replace(a[0], a[1], a[2])), "替换文本", 'SUBSTITUTE(name, "有限公司", "")'),
    Function("CONTAINS", 2, 2, typed(BOOL, T, T), _blank_in(lambda s, part: part in s),
             _both(lambda a: func.instr(a[0], a[1]) > 0, lambda a: func.strpos(a[0], a[1]) > 0),
             "是否包含", 'CONTAINS(name, "科技")'),
    Function("STARTSWITH", 2, 2, typed(BOOL, T, T), _blank_in(lambda s, head: s.startswith(head)),
             _both(lambda a: func.substr(a[0], 1, func.length(a[1])) == a[1],
                   lambda a: func.left(a[0], func.char_length(a[1])) == a[1],
                   lambda a: func.starts_with(a[0], a[1])),
             "是否以某文本开头", 'STARTSWITH(phone, "138")'),
    Function("TEXT", 1, 2, typed(TEXT, "any", T), _text, {}, "格式化为文本：数字 \"#,##0.00\"，日期 \"YYYY年MM月DD日\"",
             'TEXT(signed_on, "YYYY年MM月")'),
)
