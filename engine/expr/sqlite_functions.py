"""Tangram's own functions for SQLite, so expressions run inside SQLite with exactly the meaning
they have in Python: the runtime registers these on every SQLite connection, and the compiler calls
them for what SQLite cannot do itself (exact decimal arithmetic, the functions without a native
spelling). Values cross as SQLite values: decimals as text, dates in ISO, booleans as 1/0."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from engine.expr.evaluate import arithmetic, compare_values, load
from engine.expr.functions import functions
from engine.expr.functions.text import show
from engine.expr.nodes import BOOL, DATE, DATETIME, NUMBER, TEXT, list_of
from engine.text_order import SQL_FUNCTION, sql_sort_key

_TYPES = {"number": NUMBER, "text": TEXT, "bool": BOOL, "date": DATE, "datetime": DATETIME, "null": TEXT,
          "list[text]": list_of(TEXT), "list[number]": list_of(NUMBER)}


def _in(value: Any, kind: str, zone: str) -> Any:
    if value is None:
        return None
    if kind.startswith("list"):
        value = json.loads(value) if isinstance(value, str) else value
    if kind == "datetime" and isinstance(value, str) and not value.endswith("Z") and "+" not in value[10:]:
        value = value.replace(" ", "T") + "+00:00"  # a system timestamp, stored as naive UTC text
    return load(value, _TYPES[kind], ZoneInfo(zone))


def _out(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def call(name: str, kinds: str, zone: str, *args: Any) -> Any:
    """tg_fn(name, "number,text", zone, args…): the function's Python implementation."""
    values = [_in(a, k, zone) for a, k in zip(args, kinds.split(","), strict=True)] if args else []
    return _out(functions.get(name).py(*values))


def operate(op: str, kinds: str, zone: str, a: Any, b: Any) -> Any:
    """tg_op(op, "number,number", zone, a, b): + - * / with blanks and division by zero as in Python."""
    left_kind, right_kind = kinds.split(",")
    left, right = _in(a, left_kind, zone), _in(b, right_kind, zone)
    return show(left) + show(right) if op == "&" else _out(arithmetic(op, left, right))


def compare(op: str, kinds: str, zone: str, a: Any, b: Any) -> Any:
    """tg_cmp(op, kinds, zone, a, b): a comparison of values SQLite cannot compare itself (decimals)."""
    left_kind, right_kind = kinds.split(",")
    return _out(compare_values(op, _in(a, left_kind, zone), _in(b, right_kind, zone)))


REGISTER = (("tg_fn", -1, call), ("tg_op", 5, operate), ("tg_cmp", 5, compare), (SQL_FUNCTION, 1, sql_sort_key))
"""(name, number of arguments, function) for sqlite3's create_function(…, deterministic=True).
tg_text_key orders text fields in Chinese order in SQLite's indexes (runtime/records/columns.py):
a database with such indexes needs it to write records, so tools must open it through Tangram."""
