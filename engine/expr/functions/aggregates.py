"""SUM, AVERAGE, MIN, MAX, COUNT, COUNTIF — over lists: a sub_table column (`SUM(lines.subtotal)`),
a multi-select, or several arguments. Blanks are skipped; SUM of nothing is 0, AVERAGE of nothing blank.
MIN and MAX of text follow the Chinese order every comparison of text follows (engine/text_order.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from engine.expr.functions.base import Function, fail
from engine.expr.nodes import NULL, NUMBER, Call, Type
from engine.text_order import sort_key


def _items(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        out.extend(a if isinstance(a, list) else [a])
    return [v for v in out if v is not None]


def _numeric_rule(node: Call, args: list[Type]) -> Type:
    for i, t in enumerate(args):
        item = t.item if t.is_list else t
        if item not in (NUMBER, NULL):
            raise fail(node, f"{node.name} 只能汇总数字，第 {i + 1} 个参数是{item}",
                       f"{node.name} adds up numbers; argument {i + 1} is {item}")
    return NUMBER


def _order_rule(node: Call, args: list[Type]) -> Type:
    items = {(t.item if t.item is not None else t) for t in args} - {NULL}
    if len(items) > 1:
        raise fail(node, f"{node.name} 的参数类型不一致", f"the arguments of {node.name} have different types")
    return items.pop() if items else NULL


def _count_rule(node: Call, args: list[Type]) -> Type:
    return NUMBER


def _countif_rule(node: Call, args: list[Type]) -> Type:
    if not args[0].is_list:
        raise fail(node, "COUNTIF 的第一个参数应为列表（如明细的一列）", "the first argument of COUNTIF must be a list")
    if args[1] not in (args[0].item, NULL):
        raise fail(node, "COUNTIF 的比较值类型应与列表一致", "COUNTIF's value must have the list's type")
    return NUMBER


def _countif_postgresql(a: list[Any]) -> Any:
    """Items of a JSON list (a multi-select, users, a multiple relation, a cascade) equal to the value."""
    item = func.jsonb_array_elements(a[0]).table_valued("value")
    return select(func.count()).select_from(item).where(item.c.value == func.to_jsonb(a[1])).scalar_subquery()


def _ordered(value: Any) -> Any:
    return sort_key(value) if isinstance(value, str) else value


def _average(*args: Any) -> Any:
    items = _items(args)
    return sum(items, Decimal(0)) / len(items) if items else None


FUNCTIONS: tuple[Function, ...] = (
    Function("SUM", 1, None, _numeric_rule, lambda *a: sum(_items(a), Decimal(0)), {}, "求和", "SUM(lines.subtotal)"),
    Function("AVERAGE", 1, None, _numeric_rule, _average, {}, "平均值", "AVERAGE(lines.unit_price)"),
    Function("MIN", 1, None, _order_rule, lambda *a: min(_items(a), key=_ordered, default=None), {}, "最小值", "MIN(lines.discount)"),
    Function("MAX", 1, None, _order_rule, lambda *a: max(_items(a), key=_ordered, default=None), {}, "最大值", "MAX(planned_on, received_on)"),
    Function("COUNT", 1, None, _count_rule, lambda *a: Decimal(len(_items(a))), {}, "非空值的个数", "COUNT(lines.item)"),
    Function("COUNTIF", 2, 2, _countif_rule, lambda items, value: Decimal(sum(1 for v in (items or []) if v == value)),
             {"postgresql": _countif_postgresql},
             "列表中等于某值的个数", 'COUNTIF(lines.non_standard, TRUE)'),
)
