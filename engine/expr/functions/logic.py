"""IF, IFS, SWITCH, AND, OR, NOT, ISBLANK, COALESCE."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, not_, or_

from engine.expr.functions.base import Function, fail, typed
from engine.expr.nodes import BOOL, NULL, TEXT, Call, FieldRef, Type

BOTH = ("sqlite", "postgresql", "duckdb")  # plain SQL: the same spelling everywhere


def unify(node: Call, types: list[Type]) -> Type:
    """The one type of several results (blank fits any); different types are an error."""
    found = [t for t in types if t != NULL]
    if not found:
        return NULL
    if any(t != found[0] for t in found):
        raise fail(node, f"{node.name} 的各个结果类型不一致（{'、'.join(map(str, found))}）",
                   f"the results of {node.name} have different types ({', '.join(map(str, found))})")
    return found[0]


def _if_rule(node: Call, args: list[Type]) -> Type:
    typed(NULL, "bool")(node, args[:1])
    return unify(node, args[1:])


def _ifs_rule(node: Call, args: list[Type]) -> Type:
    if len(args) % 2:
        raise fail(node, "IFS 的参数应成对出现：条件, 结果, …", "IFS takes pairs: condition, result, …")
    typed(NULL, rest="bool")(node, args[0::2])
    return unify(node, args[1::2])


def _switch_rule(node: Call, args: list[Type]) -> Type:
    cases, default = (args[1:], None) if len(args) % 2 else (args[1:-1], args[-1])
    for value in cases[0::2]:
        if value != NULL and args[0] != NULL and value != args[0]:
            raise fail(node, "SWITCH 的匹配值类型应与第一个参数一致", "SWITCH values must have the type of the first argument")
    return unify(node, list(cases[1::2]) + ([default] if default else []))


def _if(cond: Any, then: Any, otherwise: Any = None) -> Any:
    return then if cond is True else otherwise


def _ifs(*args: Any) -> Any:
    for cond, value in zip(args[0::2], args[1::2], strict=True):
        if cond is True:
            return value
    return None


def _switch(subject: Any, *args: Any) -> Any:
    pairs = args if len(args) % 2 == 0 else args[:-1]
    for value, result in zip(pairs[0::2], pairs[1::2], strict=True):
        if subject is not None and subject == value:
            return result
    return args[-1] if len(args) % 2 else None


def kleene_and(*values: Any) -> Any:
    """SQL's three-valued AND: false wins, then blank."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def kleene_or(*values: Any) -> Any:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def kleene_not(value: Any) -> Any:
    return None if value is None else not value


def _switch_sql(a: list[Any]) -> Any:
    pairs = a[1:] if len(a) % 2 else a[1:-1]
    whens = [(a[0] == v, r) for v, r in zip(pairs[0::2], pairs[1::2], strict=True)]
    return case(*whens, else_=a[-1] if len(a) % 2 == 0 else None)


def _sql_for_both(builder: Any) -> dict[str, Any]:
    return dict.fromkeys(BOTH, builder)


def _isblank_rule(node: Call, args: list[Type]) -> Type:
    """Any value, or a list field itself (ISBLANK(tags): no tag chosen); not a sub_table's column,
    whose list is never blank in SQL however many rows it has."""
    whole = isinstance(node.args[0], FieldRef) and len(node.args[0].path) == 1
    return BOOL if whole else typed(BOOL, "any")(node, args)


def _coalesce_rule(node: Call, args: list[Type]) -> Type:
    return unify(node, args)


FUNCTIONS: tuple[Function, ...] = (
    Function("IF", 2, 3, _if_rule, _if, _sql_for_both(lambda a: case((a[0], a[1]), else_=a[2] if len(a) > 2 else None)),
             "条件成立取第二个参数，否则取第三个（省略则为空）", 'IF(level = "A", 7, 30)'),
    Function("IFS", 2, None, _ifs_rule, _ifs,
             _sql_for_both(lambda a: case(*[(c, v) for c, v in zip(a[0::2], a[1::2], strict=True)])),
             "依次判断条件，取第一个成立条件对应的值", 'IFS(amount > 1000000, "大单", amount > 100000, "中单", TRUE, "小单")'),
    Function("SWITCH", 3, None, _switch_rule, _switch, _sql_for_both(_switch_sql),
             "按值匹配：SWITCH(值, 匹配1, 结果1, …, [默认])", 'SWITCH(level, "A", 7, "B", 14, 30)'),
    Function("AND", 1, None, typed(BOOL, rest="bool"), kleene_and, _sql_for_both(lambda a: and_(*a)),
             "全部成立", "AND(annual_revenue > 0, level = \"A\")"),
    Function("OR", 1, None, typed(BOOL, rest="bool"), kleene_or, _sql_for_both(lambda a: or_(*a)),
             "任一成立", 'OR(region = "华东", region = "华南")'),
    Function("NOT", 1, 1, typed(BOOL, "bool"), kleene_not, _sql_for_both(lambda a: not_(a[0])),
             "取反", "NOT(is_primary)"),
    Function("ISBLANK", 1, 1, _isblank_rule, lambda v: v is None or v == "" or v == [],
             _sql_for_both(lambda a: a[0].is_(None)), "是否为空", "ISBLANK(phone)"),
    Function("COALESCE", 1, None, _coalesce_rule, lambda *v: next((x for x in v if x is not None), None),
             _sql_for_both(lambda a: func.coalesce(*a)), "第一个不为空的值", "COALESCE(discount, 0)"),
    Function("CURRENT_USER", 0, 0, typed(TEXT), lambda: None, {}, "当前用户的用户名", "manager = CURRENT_USER()"),
)
