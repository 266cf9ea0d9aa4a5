"""cascade: a path in an option tree (所属行业 制造业 / 汽车零配件), stored as the list of values."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from engine.errors import FieldValueError
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.palette import Palette
from engine.model_words import Refusal

# Between levels people type "/", " / ", "-" or ">" (full-width too); a value may itself hold one.
_SEPARATOR = re.compile(r"\s*[/／\-－>＞]\s*")
_PATHS_KEPT = 4096
_PATHS_LISTED = 500
"""Up to this many paths, the JSON Schema lists them; beyond, it lists the values a path may hold."""


class Node(BaseModel):
    """One option of the tree; a plain string is a leaf."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: str
    label: str | None = None
    children: list[str | Node] = []

    @cached_property
    def nodes(self) -> list[Node]:
        """The children, strings read as leaves."""
        return _nodes(self.children)


def _nodes(items: list[str | Node]) -> list[Node]:
    return [Node(value=i) if isinstance(i, str) else i for i in items]


def _distinct(level: list[Node], where: tuple[str, str]) -> None:
    values = [n.value for n in level]
    for value in values:
        if values.count(value) > 1:
            raise Refusal(f"{where[0]}的选项 {value!r} 重复", f"duplicate option {value!r} {where[1]}")
    for node in level:
        _distinct(node.nodes, (f"{node.value!r} 下", f"under {node.value!r}"))


class CascadeField(FieldType):
    """Choose level by level; `leaf_only` refuses a path that stops before a leaf."""

    type: Literal["cascade"]
    options: list[str | Node]
    leaf_only: bool = False

    storage = "json"
    value_type = "list[text]"
    sortable = False
    filter_ops = ("has", "blank", "not_blank")
    palette = Palette("级联选择", "Cascade", "choice", "⋔", {"options": [{"value": "一级", "children": ["二级"]}]})

    @field_validator("options")
    @classmethod
    def _tree(cls, options: list[str | Node]) -> list[str | Node]:
        if not options:
            raise Refusal("选项不能为空", "options must be a non-empty list")
        _distinct(_nodes(options), ("第一级", "at the first level"))
        return options

    @cached_property
    def tree(self) -> list[Node]:
        """The first level of options, strings read as leaves."""
        return _nodes(self.options)

    @staticmethod
    def _refuse(part: str, path: list[Node]) -> FieldValueError:
        where = " / ".join(n.value for n in path) or "第一级"
        return FieldValueError(f"“{part}”不是“{where}”下的选项", f"{part!r} is not an option under {where!r}")

    def _step(self, level: list[Node], rest: str, path: list[Node]) -> tuple[Node, str]:
        """The option `rest` starts with, and what follows it: a whole match wins, then the longest."""
        found: tuple[int, Node, str] | None = None
        for node in level:
            for name in filter(None, (node.value, node.label)):
                if rest == name:
                    return node, ""
                after = _SEPARATOR.match(rest, len(name)) if rest.startswith(name) else None
                if after and (found is None or len(name) > found[0]):
                    found = (len(name), node, rest[after.end():])
        if found is None:
            raise self._refuse(_SEPARATOR.split(rest, maxsplit=1)[0], path)
        return found[1], found[2]

    def _walk(self, value: Any) -> list[Node]:
        level, path = self.tree, list[Node]()
        if isinstance(value, list | tuple):
            for part in (str(v).strip() for v in value):
                node = next((n for n in level if part in (n.value, n.label)), None)
                if node is None:
                    raise self._refuse(part, path)
                path.append(node)
                level = node.nodes
            return path
        rest = str(value).strip()
        while rest:
            node, rest = self._step(level, rest, path)
            path.append(node)
            level = node.nodes
        return path

    @cached_property
    def paths_read(self) -> dict[str | tuple[str, ...], tuple[str, ...]]:
        """Inputs already read and their paths: the same few paths arrive over and over (an import of
        customers names the same industries and regions), and reading one walks the tree."""
        return {}

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        key: str | tuple[str, ...] | None = value if isinstance(value, str) else (
            tuple(value) if isinstance(value, list) and all(isinstance(v, str) for v in value) else None)
        known = self.paths_read.get(key) if key is not None else None
        if known is None:
            path = self._walk(value)
            if self.leaf_only and path and path[-1].children:
                raise FieldValueError("请选到最后一级", "choose down to the last level")
            known = tuple(n.value for n in path)
            if key is not None and len(self.paths_read) < _PATHS_KEPT:
                self.paths_read[key] = known
        return list(known)

    def json_schema(self) -> dict[str, Any]:
        paths = self.stored_paths()
        values = sorted({v for path in paths for v in path})
        schema: dict[str, Any] = {"type": "array", "items": {"type": "string", "enum": values}, "minItems": 1,
                                  "maxItems": max(len(p) for p in paths) if paths else 1}
        # The paths themselves, so a client knows every value that fits — as an extension, not an `enum` of
        # arrays, which client generators cannot turn into a type (they dropped every form with a cascade).
        if len(paths) <= _PATHS_LISTED:
            schema["x-tangram-paths"] = paths
        return schema

    def stored_paths(self) -> list[list[str]]:
        """Every value the field can store: the paths from the first level down (to leaves only, `leaf_only`)."""
        out: list[list[str]] = []

        def walk(level: list[Node], above: list[str]) -> None:
            for node in level:
                path = [*above, node.value]
                if not (self.leaf_only and node.children):
                    out.append(path)
                walk(node.nodes, path)

        walk(self.tree, [])
        return out

    def to_cell(self, value: Any) -> Any:
        return "/".join(value)
