"""发起人自选: steps whose people the submitter picks when submitting (`approvers: {"chosen": true}`, or a cc /
notify / to-do's `to`). Which steps ask, and the submitter's picks checked and keyed by step path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.errors import Issue, ValidationFailed
from engine.flows.model import FlowDefinition
from engine.flows.parts import Recipients
from engine.flows.tree import walk_steps

MAX_CHOSEN = 20
"""People one step may be given by the submitter (a 会签 of more is a role's job)."""


def _recipients(step: Any) -> Recipients | None:
    found = getattr(step, "approvers", None) or getattr(step, "to", None)
    return found if isinstance(found, Recipients) else None


def chosen_steps(flow: FlowDefinition) -> list[tuple[str, Any]]:
    """(path, step) of every step that lets the submitter choose, in definition order."""
    return [(path, step) for path, step in walk_steps(flow.steps)
            if (who := _recipients(step)) is not None and who.chosen]


def chosen_by_path(flow: FlowDefinition, picked: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The submitter's picks keyed by step path (a step may be named by its path or its key); every pick names
    a step that lets the submitter choose, and at most MAX_CHOSEN people each. Refused whole otherwise."""
    steps = chosen_steps(flow)
    by_name = {path: path for path, _ in steps} | {s.key: path for path, s in steps if getattr(s, "key", None)}
    found: dict[str, list[str]] = {}
    issues = []
    for name, users in picked.items():
        path = by_name.get(name)
        people = list(dict.fromkeys(u for u in users if u))
        if path is None:
            issues.append(Issue(f"chosen.{name}", "unknown_step", f"步骤 {name} 不由发起人自选审批人",
                                f"step {name!r} does not let the submitter choose"))
        elif len(people) > MAX_CHOSEN:
            issues.append(Issue(f"chosen.{name}", "too_many", f"最多选 {MAX_CHOSEN} 人",
                                f"at most {MAX_CHOSEN} people"))
        else:
            found[path] = people
    if issues:
        raise ValidationFailed(f"有 {len(issues)} 处错误", f"{len(issues)} problem(s)", issues=issues)
    return found


__all__ = ["MAX_CHOSEN", "chosen_steps", "chosen_by_path"]
