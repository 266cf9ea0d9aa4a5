"""parallel: every branch runs; the step finishes when all have (moves.sequence_done joins them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from engine.flows.parts import _Model
from engine.flows.run import Run
from engine.flows.steps.base import StepType

if TYPE_CHECKING:  # for type checkers; pydantic resolves `Step` to the registered union at run time
    from engine.flows.steps.base import StepType as Step


class ParallelBranch(_Model):
    name: str | None = None
    steps: list[Step] = Field(default_factory=list)  # the union of step types, resolved in steps/__init__


class ParallelStep(StepType):
    """Branches that all run; the flow goes on when every branch has finished."""

    type: Literal["parallel"]
    label = "并行分支"
    sample = {"type": "parallel", "branches": [{"name": "技术", "steps": []}, {"name": "采购", "steps": []}]}
    name: str = "并行分支"
    branches: list[ParallelBranch] = Field(min_length=1)
    reject_ends_flow: bool = True
    """A rejection in one branch rejects the whole flow (false: that branch just ends)."""

    def enter(self, run: Run, path: str) -> bool:
        run.log("parallel", f"并行执行 {len(self.branches)} 个分支", f"running {len(self.branches)} branches",
                step=path)
        for b in range(len(self.branches)):
            run.state.cursors[f"{path}.branches[{b}].steps"] = 0
        return False


__all__ = ["ParallelBranch", "ParallelStep"]
