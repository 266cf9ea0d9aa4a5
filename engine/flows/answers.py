"""What the later steps of a run read of an HTTP 请求 step's answer: `http.<step key>.status` and
`http.<step key>.body.<path>` (`http.push_order.body.Result.Number`), in their expressions (更新记录's and 新增记录's
values, a condition, a webhook's body, another HTTP step's placeholders) and in message templates
(`{http.push_order.body.Result.Number}`). The run waits at the HTTP step until the answer has come (or for
ever, if the call is dead: then it is retried by hand or the run withdrawn); a step without a `key` is waited
for all the same but cannot be named."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from engine.expr.evaluate import OpenValues
from engine.expr.nodes import FieldRef, Type, walk
from engine.expr.scope import form_scope
from engine.expr.typecheck import Checked, check
from engine.forms.model import FormDefinition
from engine.hooks.mapping import Payload

ROOT = "http"
KEPT_BODY = 65_536
"""Characters of an answer's body (as JSON) a run keeps for its later steps: a body beyond is kept as None."""
TEMPLATE = re.compile(r"\{(http\.[a-z][a-z0-9_]*(?:\.[A-Za-z0-9_\-]+)*)\}")
"""A message template's `{http.<step key>.body.Result.Number}` (answer paths keep their case)."""


def flow_checked(form: FormDefinition, text: str, expect: Type | None = None) -> Checked:
    """`text` type-checked as a step's expression: the form's names, and `http.…` for earlier answers."""
    cache: dict[tuple[str, Type | None], Checked] = form.__dict__.setdefault("_flow_checked_expressions", {})
    if (text, expect) not in cache:
        base = form.__dict__.get("_scope") or form_scope(form)
        cache[(text, expect)] = check(text, replace(base, open_roots=base.open_roots | {ROOT}), expect=expect)
    return cache[(text, expect)]


def named_steps(found: Checked) -> list[str]:
    """The step keys an expression reads answers of (`http.<key>…`)."""
    return [n.path[1] if len(n.path) > 1 else "" for n in walk(found.node)
            if isinstance(n, FieldRef) and n.path[0] == ROOT]


def kept(answer: dict[str, Any]) -> dict[str, Any]:
    """What a run keeps of an answer: its status and body (never headers or cookies: a session lives there)."""
    response = answer.get("response") or {}
    body = response.get("body")
    if len(json.dumps(body, ensure_ascii=False, default=str)) > KEPT_BODY:
        body = None
    return {"status": response.get("status"), "body": body}


def with_answers(values: dict[str, Any], answers: dict[str, Any]) -> OpenValues:
    """A record's values with the run's answers readable under `http`."""
    return OpenValues(values, {ROOT: Payload(answers, root=ROOT)})


def render_answers(template: str, answers: dict[str, Any]) -> str:
    """`{http.<key>.<path>}` placeholders of a message filled with the answers (blank where none)."""
    def value(match: re.Match[str]) -> str:
        found = Payload(answers, root=ROOT).at(tuple(match.group(1).split(".")))
        if found is None:
            return ""
        return json.dumps(found, ensure_ascii=False) if isinstance(found, dict | list) else str(found)
    return TEMPLATE.sub(value, template)


__all__ = ["KEPT_BODY", "ROOT", "TEMPLATE", "flow_checked", "kept", "named_steps", "render_answers", "with_answers"]
