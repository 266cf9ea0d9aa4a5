"""cascade: a path in an option tree (所属行业 制造业 / 汽车零配件), stored as the list of values."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import FieldType, ValueContext


class Node(BaseModel):
    """One option of the tree; a plain string is a leaf."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: str | None = None
    children: list[str | Node] = []

    @cached_property
    def nodes(self) -> list[Node]:
        return _nodes(self.children)


def _nodes(items: list[str | Node]) -> list[Node]:
    return [Node(value=i) if isinstance(i, str) else i for i in items]


class CascadeField(FieldType):
    """Choose level by level; `leaf_only` refuses a path that stops before a leaf."""

    type: Literal["cascade"]
    options: list[str | Node]
    leaf_only: bool = False

    storage = "json"
    value_type = "list[text]"
    sortable = False
    filter_ops = ("has", "blank", "not_blank")

    @field_validator("options")
    @classmethod
    def _not_empty(cls, options: list[str | Node]) -> list[str | Node]:
        if not options:
            raise ValueError("options must be a non-empty list")
        return options

    def _path(self, value: Any) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(v).strip() for v in value]
        text = str(value).strip()
        for separator in ("/", "-", "－", ">"):
            if separator in text:
                return [p.strip() for p in text.split(separator)]
        return [text]

    @cached_property
    def tree(self) -> list[Node]:
        return _nodes(self.options)

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        level, path = self.tree, []
        node: Node | None = None
        for part in self._path(value):
            node = next((n for n in level if part in (n.value, n.label)), None)
            if node is None:
                where = " / ".join(path) or "第一级"
                raise FieldValueError(f"“{part}”不是“{where}”下的选项", f"{part!r} is not an option under {where!r}")
            path.append(node.value)
            level = node.nodes
        if self.leaf_only and node is not None and node.children:
            raise FieldValueError("请选到最后一级", "choose down to the last level")
        return path

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}, "minItems": 1}

    def to_cell(self, value: Any) -> Any:
        return "/".join(value)
