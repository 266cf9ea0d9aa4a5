"""Parsing an expression with lark into the syntax tree of nodes.py. No eval, bounded size."""

from __future__ import annotations

import copy
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, v_args
from lark.exceptions import VisitError

from engine.expr.errors import ExpressionError
from engine.expr.nodes import Binary, Call, FieldRef, InList, Literal, Node, Unary, children, walk
from engine.limits import DEFAULT

MAX_LENGTH = DEFAULT.expression_chars
"""Characters of an expression in a definition; a request's filter= may be given another (settings)."""
MAX_NODES = DEFAULT.expression_nodes
MAX_DEPTH = DEFAULT.expression_depth

_LARK = Lark((Path(__file__).parent / "grammar.lark").read_text(encoding="utf-8"), parser="lalr",
             propagate_positions=True, maybe_placeholders=False)

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def _pos(item: Any) -> tuple[int, int]:
    if isinstance(item, Token):
        return item.line or 1, item.column or 1
    return item.line, item.column


def _string(token: Token) -> str:
    out, chars, i = [], token[1:-1], 0
    while i < len(chars):
        if chars[i] == "\\" and i + 1 < len(chars):
            out.append(_ESCAPES.get(chars[i + 1], chars[i + 1]))
            i += 2
        else:
            out.append(chars[i])
            i += 1
    return "".join(out)


def _path_part(token: Any) -> str:
    """A path step: a name, an index (`[0]` → "0") or a quoted key (`["Customer Name"]` → its text)."""
    if token.type == "STRING":
        return _string(token)
    return str(token)


# The rule `list` names a method of the transformer, which hides the builtin in its annotations.
_Items = list[Any]
_Tokens = list[Token]
_Nodes = list[Node]


@v_args(meta=True)
class _ToNodes(Transformer[Token, Node]):
    def number(self, meta: Any, items: _Tokens) -> Node:
        return Literal(meta.line, meta.column, Decimal(str(items[0])))

    def string(self, meta: Any, items: _Tokens) -> Node:
        return Literal(meta.line, meta.column, _string(items[0]))

    def true(self, meta: Any, items: _Items) -> Node:
        return Literal(meta.line, meta.column, True)

    def false(self, meta: Any, items: _Items) -> Node:
        return Literal(meta.line, meta.column, False)

    def null(self, meta: Any, items: _Items) -> Node:
        return Literal(meta.line, meta.column, None)

    def field(self, meta: Any, items: _Tokens) -> Node:
        # `a.b`, and (on an open root such as an inbound hook's `payload`) `a.lines[0]` / `a["Name"]`
        return FieldRef(meta.line, meta.column, tuple(_path_part(t) for t in items))

    def record_field(self, meta: Any, items: _Tokens) -> Node:
        """CREATED_AT, UPDATED_AT, OWNER …: the record's own columns, as Excel users write them."""
        return FieldRef(meta.line, meta.column, (str(items[0]).lower(),))

    def call(self, meta: Any, items: _Items) -> Node:
        name, *args = items
        return Call(meta.line, meta.column, str(name), [a for a in args if a is not None])

    def list(self, meta: Any, items: _Items) -> _Nodes:
        return [i for i in items if i is not None]

    def neg(self, meta: Any, items: _Nodes) -> Node:
        return Unary(meta.line, meta.column, "-", items[0])

    def not_(self, meta: Any, items: _Nodes) -> Node:
        return Unary(meta.line, meta.column, "NOT", items[0])

    def _chain(self, items: _Items, op: str | None = None) -> Node:
        node: Node = items[0]
        rest = items[1:]
        if op is not None:  # AND / OR / &: operands only
            for right in rest:
                node = Binary(node.line, node.column, op, node, right)
            return node
        for token, right in zip(rest[::2], rest[1::2], strict=True):
            line, column = _pos(token)
            node = Binary(line, column, str(token), node, right)
        return node

    def or_(self, meta: Any, items: _Nodes) -> Node:
        return self._chain(items, "OR")

    def and_(self, meta: Any, items: _Nodes) -> Node:
        return self._chain(items, "AND")

    def concat(self, meta: Any, items: _Nodes) -> Node:
        return self._chain(items, "&")

    def arith(self, meta: Any, items: _Items) -> Node:
        return self._chain(items)

    def compare(self, meta: Any, items: _Items) -> Node:
        left, token, right = items
        op = {"<>": "!=", "==": "="}.get(str(token), str(token))
        line, column = _pos(token)
        return Binary(line, column, op, left, right)

    def in_(self, meta: Any, items: _Items) -> Node:
        return InList(meta.line, meta.column, items[0], items[1], False)

    def not_in(self, meta: Any, items: _Items) -> Node:
        return InList(meta.line, meta.column, items[0], items[1], True)


def _depth(node: Node) -> int:
    return 1 + max((_depth(c) for c in children(node)), default=0)


def _ends_early(text: str) -> ExpressionError:
    """Point just after the last thing written (trailing blanks and newlines do not count)."""
    lines = text.rstrip().splitlines() or [""]
    return ExpressionError(len(lines), len(lines[-1]) + 1, "表达式不完整", "the expression ends too early")


@lru_cache(maxsize=2048)
def _parse_cached(text: str) -> Node:
    try:
        tree = _LARK.parse(text)
        node = _ToNodes().transform(tree)
    except UnexpectedEOF:
        raise _ends_early(text) from None
    except UnexpectedCharacters as e:
        char = text[e.pos_in_stream or 0]
        raise ExpressionError(e.line, e.column, f"无法识别的字符“{char}”", f"unexpected character {char!r}") from None
    except UnexpectedInput as e:
        token = getattr(e, "token", None)
        if token is None or token.type == "$END":
            raise _ends_early(text) from None
        shown = str(token)
        raise ExpressionError(e.line, e.column, f"“{shown}”出现的位置不对", f"unexpected {shown!r}") from None
    except (VisitError, RecursionError):
        raise ExpressionError(1, 1, "表达式过于复杂", "the expression is too complex") from None
    if isinstance(node, list):
        raise ExpressionError(1, 1, "列表只能用在 IN 之后", "a list can only follow IN")
    if len(walk(node)) > MAX_NODES or _depth(node) > MAX_DEPTH:
        raise ExpressionError(1, 1, "表达式过于复杂", "the expression is too complex")
    return node


def forget_parsed() -> None:
    """Empty the cache of parsed texts, so the next parse of each text parses it (benchmarks)."""
    _parse_cached.cache_clear()


def parse(text: str, max_length: int = MAX_LENGTH) -> Node:
    """The syntax tree of `text`, or ExpressionError naming the line and column."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(1, 1, "表达式为空", "the expression is empty")
    if len(text) > max_length:  # before the parser sees it
        raise ExpressionError(1, max_length, f"表达式超过 {max_length} 个字符", f"longer than {max_length} characters")
    return copy.deepcopy(_parse_cached(text))  # the checker writes types into the tree: one tree per use
