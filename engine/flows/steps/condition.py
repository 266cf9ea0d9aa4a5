"""condition: the first branch whose `when` is TRUE runs (a blank result is not TRUE), else the default."""

from __future__ import annotations

from engine.flows.model import ConditionStep
from engine.flows.run import Run


def enter(run: Run, path: str, step: ConditionStep) -> bool:
    for b, branch in enumerate(step.branches):
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
