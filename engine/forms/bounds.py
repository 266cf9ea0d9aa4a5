"""Bounds on one field's input, checked before the field's type looks at it: text no longer than the
server's limit for its kind (single-line or multi-line), lists no longer than the limit for the field
(sub_table rows, values of a multi-valued field), nesting no deeper than a value can be, and no text
that cannot be stored (an unpaired UTF-16 surrogate, which neither UTF-8 nor either database holds).

One walk over the raw input that stops at the first bound broken: the work spent on a value over a
limit is bounded by the limit, not by the size of the value."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.errors import FieldValueError
from engine.limits import Limits

if TYPE_CHECKING:  # the field types call check_input on their cells: no import of them at run time
    from engine.forms.fields.base import FieldType

_SURROGATE = re.compile("[\ud800-\udfff]")
"""A str read from JSON holds a surrogate only when it is unpaired: a pair is read as one character."""

MULTI_LINE = frozenset({"textarea", "sub_table"})
"""Types whose text runs to the multi-line limit (a sub_table's cells are bounded again by their column)."""


def text_limit(field: FieldType, limits: Limits) -> int:
    """The longest text the server takes for this field; the field's own max_length applies below it."""
    return limits.textarea_chars if field.type in MULTI_LINE else limits.text_chars


def list_limit(field: FieldType, limits: Limits) -> int:
    """The most items one list (or keys one object) in this field's value may hold."""
    return limits.sub_table_rows if field.type == "sub_table" else limits.multi_values


def _refused(code: str, zh: str, en: str) -> FieldValueError:
    error = FieldValueError(zh, en)
    error.code = code  # the code: too_long, too_many_items, too_deep, invalid_character
    return error


def _too_many(field: FieldType, given: int, limit: int) -> FieldValueError:
    zh, en = ("行", "rows") if field.type == "sub_table" else ("项", "items")
    return _refused("too_many_items", f"最多 {limit} {zh}（当前 {given} {zh}）", f"at most {limit} {en} ({given} given)")


def _text(text: str, limit: int) -> None:
    if len(text) > limit:
        raise _refused("too_long", f"文本过长：最多 {limit} 个字符（当前 {len(text)} 个）",
                       f"text too long: at most {limit} characters ({len(text)} given)")
    if _SURROGATE.search(text):
        raise _refused("invalid_character", "文本含有无法保存的字符（不成对的 UTF-16 代理项）",
                       "text contains a character that cannot be stored (an unpaired UTF-16 surrogate)")


def check_keys(row: dict[str, Any], limits: Limits) -> None:
    """The keys of an object: one-line text (a sub_table row's unknown keys are echoed in its issues)."""
    if len(row) > limits.multi_values:
        raise _refused("too_many_items", f"最多 {limits.multi_values} 项（当前 {len(row)} 项）",
                       f"at most {limits.multi_values} items ({len(row)} given)")
    for key in row:
        if isinstance(key, str):
            _text(key, limits.text_chars)


def check_input(field: FieldType, value: Any, limits: Limits) -> None:
    """Raise FieldValueError when `value` breaks a bound for `field`; the limit is named in the message."""
    top, inner = text_limit(field, limits), max(text_limit(field, limits), limits.text_chars)
    items = list_limit(field, limits)
    if field.type == "sub_table" and isinstance(value, list | tuple):
        # the rows are counted here; each cell is checked as its column's field (SubTableField._row),
        # so that a refusal names the cell (lines[2].part); row keys are bounded like one-line text
        if len(value) > items:
            raise _too_many(field, len(value), items)
        for row in value:
            if isinstance(row, dict):
                check_keys(row, limits)
        return
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _text(item, top if depth == 0 else inner)
            continue
        if not isinstance(item, list | tuple | dict):
            continue
        if depth >= limits.value_depth:
            raise _refused("too_deep", f"嵌套过深：最多 {limits.value_depth} 层",
                           f"nested too deep: at most {limits.value_depth} levels")
        if len(item) > items:
            raise _too_many(field, len(item), items)
        if isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        else:
            stack.extend((v, depth + 1) for v in item)


__all__ = ["check_input", "check_keys", "text_limit", "list_limit", "MULTI_LINE"]
