"""前加签 (adding approvers before oneself): the approver's task steps aside while the people they asked
decide first; once all of them have approved, a new task comes back to the approver, who then decides as
before. A rejection by one of them is the approver's rejection. They are not among the step's approvers and
do not count towards its `required`; approval.py calls these at the points where that matters."""

from __future__ import annotations

from collections.abc import Callable

from engine.errors import FlowStateError
from engine.flows.run import Run
from engine.flows.state import ApprovalRun, Task


def ask_first(
    run: Run, task: Task, users: tuple[str, ...], actor: str, comment: str | None, open_task: Callable[[str], object]
) -> None:
    """`task`'s assignee asks `users` to decide before them: their task closes (`added_before`) and each
    asked one gets a task of their own."""
    state = run.state.approvals[task.step]
    taken = {*state.approvers, *state.asked_first, task.assignee}
    new = [u for u in dict.fromkeys(users) if u not in taken]
    if not new:
        raise FlowStateError("加签人已在本步骤中", "everyone named already takes part in this step", field="users")
    run.close_task(task, "added_before", actor, comment)
    for user in new:
        state.asked_first[user] = task.assignee
        open_task(user)
    names = "、".join(new)
    run.log(
        "added_approvers",
        f"前加签：{names}（同意后回到 {task.assignee} 审批）",
        f"added approvers before: {', '.join(new)} (then back to {task.assignee})",
        step=task.step,
        actor=actor,
        comment=comment,
        users=new,
        position="before",
    )


def join_asker(run: Run, task: Task, users: list[str], open_task: Callable[[str], object]) -> bool:
    """后加签 by someone who was asked first: the ones they add are asked first too, by the same approver
    (the task goes back only after all of them). False when `task` was not one asked first."""
    state = run.state.approvals[task.step]
    asker = state.asked_first.get(task.assignee)
    if asker is None:
        return False
    for user in users:
        state.asked_first[user] = asker
        open_task(user)
    return True


def back_to_asker(run: Run, task: Task, open_task: Callable[[str], object]) -> bool:
    """An approved task that was asked first: when it was the last of its approver's asking, the approver
    gets a task again. False when `task` was not one asked first (an ordinary approval)."""
    state = run.state.approvals[task.step]
    asker = state.asked_first.pop(task.assignee, None)
    if asker is None:
        return False
    if asker not in state.asked_first.values():
        open_task(asker)
        run.log("back_to_approver", f"回到 {asker} 审批", f"back to {asker}", step=task.step, to=asker)
    return True


def rejecter(run: Run, task: Task) -> str:
    """Whose rejection a rejected task is: its assignee's, or — asked first — the approver's who asked
    (up the chain); the others that approver asked are no longer needed."""
    state = run.state.approvals[task.step]
    who = task.assignee
    while who in state.asked_first:
        asker = state.asked_first.pop(who)
        for other in [u for u, a in state.asked_first.items() if a == asker]:
            del state.asked_first[other]
            for open_task in run.state.open_tasks(task.step):
                if open_task.assignee == other:
                    run.close_task(open_task, "skipped")
        who = asker
    return who


def hand_over(state: ApprovalRun, old: str, new: str) -> None:
    """A task passes from `old` to `new` (转交, escalation): `new` takes `old`'s place in the step."""
    if old in state.approvers:
        state.approvers[state.approvers.index(old)] = new
    if old in state.asked_first:
        state.asked_first[new] = state.asked_first.pop(old)


__all__ = ["ask_first", "join_asker", "back_to_asker", "rejecter", "hand_over"]
