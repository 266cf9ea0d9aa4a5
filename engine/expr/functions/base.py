"""What a function of the expression language is (`Function`) and the helpers its type rules use."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.expr.errors import ExpressionError
from engine.expr.nodes import NULL, Call, Type

SqlBuilder = Callable[[list[Any]], Any]


@dataclass(frozen=True)
class Function:
    """One function: `name(args)`; `sql` maps a dialect to a builder over compiled arguments."""

    name: str
    min_args: int
    max_args: int | None
    type_rule: Callable[[Call, list[Type]], Type]
    py: Callable[..., Any]
    sql: dict[str, SqlBuilder] = field(default_factory=dict)
    summary: str = ""
    example: str = ""


def fail(node: Call, zh: str, en: str) -> ExpressionError:
    return ExpressionError(node.line, node.column, zh, en)


def accepts(given: Type, wanted: Type | str) -> bool:
    """Blank (NULL) fits any parameter; "any" takes every scalar; "list" every list."""
    name = wanted if isinstance(wanted, str) else str(wanted)
    if given == NULL or name == "any" and not given.is_list:
        return True
    if name == "list":
        return given.is_list
    return str(given) == name


def typed(result: Type | Callable[[list[Type]], Type], *params: str, rest: str | None = None
          ) -> Callable[[Call, list[Type]], Type]:
    """A type rule: argument i must be params[i] (then `rest` for the others)."""

    def rule(node: Call, args: list[Type]) -> Type:
        for i, arg in enumerate(args):
            wanted = params[i] if i < len(params) else rest
            if wanted is not None and not accepts(arg, wanted):
                raise fail(node, f"{node.name} 的第 {i + 1} 个参数应为{_ZH.get(wanted, wanted)}，实际为{_ZH.get(str(arg), str(arg))}",
                           f"argument {i + 1} of {node.name} must be {wanted}, not {arg}")
        return result(args) if callable(result) else result

    return rule


_ZH = {"number": "数字", "text": "文本", "bool": "是/否", "date": "日期", "datetime": "日期时间", "list": "列表",
       "any": "任意值", "null": "空值", "list[number]": "数字列表", "list[text]": "文本列表"}


def zh_type(name: str) -> str:
    return _ZH.get(name, name)


__all__ = ["Function", "SqlBuilder", "accepts", "fail", "typed", "zh_type"]
