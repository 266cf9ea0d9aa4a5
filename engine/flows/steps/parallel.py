"""parallel: every branch runs; the step finishes when all have (moves.sequence_done joins them)."""

from __future__ import annotations

from engine.flows.model import ParallelStep
from engine.flows.run import Run


def enter(run: Run, path: str, step: ParallelStep) -> bool:
    run.log("parallel", f"并行执行 {len(step.branches)} 个分支", f"running {len(step.branches)} branches", step=path)
    for b in range(len(step.branches)):
        run.state.cursors[f"{path}.branches[{b}].steps"] = 0
    return False
