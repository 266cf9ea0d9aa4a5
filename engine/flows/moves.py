"""Moving along the tree: a waiting step finishes, a sequence ends (joining parallel branches), a step
is rejected (ending its parallel branch or the whole flow)."""

from __future__ import annotations

from engine.flows.run import Run, parent_of_sequence, position_of
from engine.flows.tree import walk_steps


def step_done(run: Run, path: str) -> None:
    """A step that was waiting has finished: its sequence moves on."""
    if path in run.state.waiting:
        run.state.waiting.remove(path)
    seq, index = position_of(path)
    if seq in run.state.cursors:
        run.state.cursors[seq] = index + 1


def sequence_done(run: Run, seq: str) -> None:
    parent = parent_of_sequence(seq)
    if parent is None:
        if any(step.type == "approval" for _, step in walk_steps(run.definition.steps)):
            run.finish("approved", "审批通过", "approved")
        else:
            run.finish("completed", "流程完成", "completed")
        return
    path = parent[0]
    if run.steps[path].type == "parallel":
        if any(s.startswith(f"{path}.branches[") for s in run.state.cursors):
            return
        run.log("joined", "并行分支全部完成", "all parallel branches finished", step=path)
    step_done(run, path)


def reject(run: Run, path: str, actor: str | None, comment: str | None) -> None:
    """A step was rejected: the innermost parallel that tolerates it ends that branch; else the flow."""
    seq = position_of(path)[0]
    while (parent := parent_of_sequence(seq)) is not None:
        holder = run.steps[parent[0]]
        if holder.type == "parallel" and not holder.reject_ends_flow:
            run.drop_under(seq)
            run.log("branch_rejected", "分支被驳回，其余分支继续", "a branch was rejected; the others go on",
                    step=parent[0], actor=actor, comment=comment)
            sequence_done(run, seq)
            return
        seq = position_of(parent[0])[0]
    run.finish("rejected", "审批被驳回", "rejected", step=path)



__all__ = ["step_done", "sequence_done", "reject"]
