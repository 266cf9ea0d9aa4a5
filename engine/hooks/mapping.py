"""From a posted JSON document to field values: each mapping expression is read over `payload`, any path of
it (`payload.order.customer_name`, `payload.lines[0].sku`, `payload["Customer Name"]`), and a value that
does not fit its field is reported at the payload path it came from (`payload.order.amount: 不是数字`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from engine.errors import Issue, ValidationFailed
from engine.expr.evaluate import EvalContext, PathValues, evaluate
from engine.expr.nodes import FieldRef
from engine.expr.scope import Scope
from engine.expr.typecheck import Checked, check
from engine.forms.model import FormDefinition
from engine.keys import KEY_RE

ROOT = "payload"


def check_expression(text: str, form: FormDefinition) -> Checked:
    """Parse and type-check a mapping expression; ExpressionError names the position."""
    return check(text, Scope(form, open_roots=frozenset({ROOT})))


def show_path(path: tuple[str, ...]) -> str:
    """A path as written: `payload.order.lines[0].sku`, `payload["Customer Name"]`."""
    out = path[0]
    for part in path[1:]:
        if part.isdigit():
            out += f"[{part}]"
        elif KEY_RE.match(part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


class Payload(PathValues):
    """A posted JSON document as expressions read it: numbers as exact decimals, a missing path blank."""

    def __init__(self, document: Any, root: str = ROOT) -> None:
        self.document, self.root = document, root

    def at(self, path: tuple[str, ...]) -> Any:
        if path[0] != self.root:
            return None
        node = self.document
        for part in path[1:]:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        if isinstance(node, bool):
            return node
        if isinstance(node, int | float):
            return Decimal(str(node))
        return node

    def __getitem__(self, key: str) -> Any:
        return self.at(tuple(key.split(".")))

    def __iter__(self) -> Iterator[str]:
        return iter((self.root,))

    def __len__(self) -> int:
        return 1


def _plain(value: Any) -> Any:
    """An expression's value as JSON a record takes: decimals as numbers (integers stay integers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def map_payload(mapping: Mapping[str, str], form: FormDefinition, document: Any, ctx: EvalContext) -> dict[str, Any]:
    """The field values the mapping gives for `document`; ValidationFailed, at the payload path, when an
    expression cannot be computed on it (text times a number …)."""
    payload, values, issues = Payload(document), {}, []
    for key, text in mapping.items():
        checked = check_expression(text, form)
        try:
            values[key] = _plain(evaluate(checked, payload, ctx))
        except Exception:  # whatever fails over foreign JSON is the payload's fault: reported, never a 500
            issues.append(Issue(source_path(checked, key), "not_computable", f"映射“{key} ← {text}”无法计算",
                                f"the mapping {key} <- {text} cannot be computed on this payload"))
    if issues:
        raise ValidationFailed("数据不符合接口的映射", "the payload does not fit the hook's mapping", issues=issues)
    return values


def source_path(checked: Checked, key: str) -> str:
    """Where a mapped field's value came from: the payload path when the expression is one, else `mapping.<key>`."""
    node = checked.node
    if isinstance(node, FieldRef) and node.path[0] == ROOT:
        return show_path(node.path)
    return f"mapping.{key}"


def payload_issues(issues: list[Issue], mapping: Mapping[str, str], form: FormDefinition) -> list[Issue]:
    """A form's issues about field values, each moved to the payload path its value came from."""
    moved = []
    for issue in issues:
        key = issue.path.split(".", 1)[0].split("[", 1)[0]
        rest = issue.path[len(key):]
        if key in mapping:
            where = source_path(check_expression(mapping[key], form), key)
            message = f"{issue.message}（字段 {key}）"
            message_en = f"{issue.message_en or issue.message} (field {key})"
            moved.append(Issue(where + rest, issue.code, message, message_en))
        else:
            moved.append(Issue(f"mapping.{key}" if key else issue.path, issue.code, issue.message, issue.message_en))
    return moved


__all__ = ["Payload", "ROOT", "check_expression", "map_payload", "payload_issues", "show_path", "source_path"]
