"""The typed syntax tree of an expression. Every node knows where it starts (line, column), so
errors can point at it; the type checker fills in `type`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Type:
    """number (exact decimal), text, bool, date, datetime, null — or a list of one of those."""

    name: str
    item: Type | None = None

    def __str__(self) -> str:
        return f"list[{self.item}]" if self.item else self.name

    @property
    def is_list(self) -> bool:
        return self.item is not None


NUMBER, TEXT, BOOL, DATE, DATETIME, NULL = (Type(n) for n in ("number", "text", "bool", "date", "datetime", "null"))


def list_of(item: Type) -> Type:
    return Type("list", item)


@dataclass
class Node:
    line: int
    column: int
    type: Type | None = field(default=None, init=False, compare=False)


@dataclass
class Literal(Node):
    value: Any = None


@dataclass
class FieldRef(Node):
    """`amount`, or `lines.qty` (a sub_table column) / `customer.level` (through a relation)."""

    path: tuple[str, ...] = ()


@dataclass
class Call(Node):
    name: str = ""
    args: list[Node] = field(default_factory=list)


@dataclass
class Unary(Node):
    op: str  # "-" or "NOT"
    operand: Node


@dataclass
class Binary(Node):
    op: str  # + - * / & = != < <= > >= AND OR
    left: Node
    right: Node


@dataclass
class InList(Node):
    item: Node
    options: list[Node]
    negated: bool = False


def walk(node: Node) -> list[Node]:
    """The node and all below it, parents first."""
    out = [node]
    for child in children(node):
        out.extend(walk(child))
    return out


def children(node: Node) -> list[Node]:
    if isinstance(node, Call):
        return list(node.args)
    if isinstance(node, Unary):
        return [node.operand] if node.operand else []
    if isinstance(node, Binary):
        return [n for n in (node.left, node.right) if n]
    if isinstance(node, InList):
        return ([node.item] if node.item else []) + list(node.options)
    return []
