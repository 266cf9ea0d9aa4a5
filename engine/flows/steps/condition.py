"""condition: the first branch whose `when` is TRUE runs (a blank result is not TRUE), else the default."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from engine.expr.nodes import BOOL
from engine.flows.checker import FlowChecker
from engine.flows.parts import _Model
from engine.flows.run import Run
from engine.flows.steps.base import StepType
from engine.model_words import Refusal

if TYPE_CHECKING:  # for type checkers; pydantic resolves `Step` to the registered union at run time
    from engine.flows.steps.base import StepType as Step


class ConditionBranch(_Model):
    """One branch: taken when `when` is TRUE (in order), or the default."""

    name: str | None = None
    when: str | None = None
    default: bool = False
    steps: list[Step] = Field(default_factory=list)  # the union of step types, resolved in steps/__init__

    @model_validator(mode="after")
    def _when(self) -> ConditionBranch:
        if self.default and self.when is not None:
            raise Refusal('默认分支没有 "when" 条件', 'a default branch has no "when"')
        if not self.default and self.when is None:
            raise Refusal('分支需要 "when" 条件，或设为默认分支（"default": true）', 'a branch needs "when" or "default": true')
        return self


class ConditionStep(StepType):
    """Branches with conditions, evaluated in order, plus a default branch."""

    type: Literal["condition"]
    label = "条件分支"
    sample = {"type": "condition", "branches": [{"name": "条件 1", "when": "TRUE", "steps": []},
                                               {"name": "其他", "default": True, "steps": []}]}
    """Names no field: the designer inserts it into any form's flow, then the user writes the condition."""
    name: str = "条件分支"
    branches: list[ConditionBranch] = Field(min_length=1)

    def check(self, c: FlowChecker, path: str) -> None:
        defaults = [b for b, branch in enumerate(self.branches) if branch.default]
        if not defaults:
            c.add(f"{path}.branches", "no_default_branch", "条件分支需要一个默认分支 (\"default\": true)",
                  'a condition needs a default branch ("default": true)')
        for b, branch in enumerate(self.branches):
            c.expression(f"{path}.branches[{b}].when", branch.when, BOOL, answers=True)
            if defaults and b > defaults[0]:
                c.add(f"{path}.branches[{b}]", "unreachable", "默认分支之后的分支永远不会执行",
                      "a branch after the default branch can never run")
            elif branch.when is not None and branch.when.strip().upper() == "FALSE":
                c.add(f"{path}.branches[{b}]", "unreachable", "条件恒为 FALSE，分支永远不会执行",
                      "the condition is always FALSE: the branch can never run")

    def enter(self, run: Run, path: str) -> bool:
        for b, branch in enumerate(self.branches):
            label = branch.name or f"分支 {b + 1}"
            if branch.default or run.holds(branch.when or "FALSE"):
                why = "默认分支" if branch.default else f"条件 {branch.when} 成立"
                why_en = "the default branch" if branch.default else f"{branch.when} holds"
                run.log("branch", f"进入“{label}”：{why}", f"took {label!r}: {why_en}", step=path, branch=b,
                        when=branch.when)
                run.state.cursors[f"{path}.branches[{b}].steps"] = 0
                return False
        run.log("branch", "没有满足条件的分支，继续", "no branch applies; going on", step=path)
        return True


__all__ = ["ConditionBranch", "ConditionStep"]
