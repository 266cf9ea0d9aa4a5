"""approval: approvers decide in mode any (或签), all (会签), n_of_m or sequential (依次审批); tasks can be
approved, rejected, returned to the submitter, transferred, or given more approvers; a due time reminds,
escalates to the next level, or decides by itself."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator, model_validator

from engine.errors import FlowStateError
from engine.flows import effects as fx
from engine.flows.approvers import escalation_target, resolve
from engine.flows.asked_first import ask_first, back_to_asker, hand_over, join_asker, rejecter
from engine.flows.checker import FlowChecker
from engine.flows.events import AddApprovers, Decide, Transfer
from engine.flows.moves import reject, step_done
from engine.flows.parts import Recipients
from engine.flows.run import Run
from engine.flows.sla import Due, Stage, as_stages, due_key, one_due
from engine.flows.state import ApprovalRun, FlowInstanceState, Task
from engine.flows.steps.base import StepType
from engine.flows.tree import walk_steps
from engine.keys import Key
from engine.model_words import Refusal

if TYPE_CHECKING:
    from engine.flows.model import FlowDefinition


class ApprovalStep(StepType):
    """Approvers decide: any one (或签), all (会签), N of M, or one after another (依次审批)."""

    type: Literal["approval"]
    label = "审批"
    sample = {"type": "approval", "name": "经理审批", "approvers": {"users": ["admin"]}}
    name: str = "审批"
    approvers: Recipients
    mode: Literal["any", "all", "sequential", "n_of_m"] = "any"
    required: int | None = Field(default=None, ge=1)
    due: Due | None = None
    sla: list[Stage] | None = Field(default=None, min_length=1)
    """Several stages (remind, then escalate, then decide by itself), each counted from when the task
    opened; `due` is the one-stage form, kept valid."""
    if_empty: Literal["fail", "approve"] = "fail"
    """When the approvers resolve to nobody at run time: fail the instance, or pass the step."""
    allow_return: bool = True
    """An approver may send the record back to the submitter (退回)."""
    allow_transfer: bool = True
    """An approver may hand the task to someone else (转交)."""
    allow_add_approver: bool = True
    """An approver may ask more approvers to join the step (加签)."""
    editable_fields: list[Key] = Field(default_factory=list)
    """Fields of the record an approver may change while their task is open (the rest stays locked)."""

    _due = field_validator("due", mode="before")(lambda cls, v: one_due(v))

    @model_validator(mode="after")
    def _one_sla(self) -> ApprovalStep:
        if self.due is not None and self.sla is not None:
            raise Refusal('"due" 与 "sla" 只能填一个', 'give "due" or "sla", not both')
        return self

    @property
    def stages(self) -> list[Stage]:
        """The SLA as stages, whichever form the definition uses."""
        return as_stages(self.due, self.sla)

    @model_validator(mode="after")
    def _required(self) -> ApprovalStep:
        if self.mode == "n_of_m" and self.required is None:
            raise Refusal('"mode": "n_of_m" 需要 "required"（几人通过）', 'mode "n_of_m" needs "required"')
        if self.mode != "n_of_m" and self.required is not None:
            raise Refusal('"required" 只用于 "mode": "n_of_m"', '"required" is only for mode "n_of_m"')
        return self

    def check(self, c: FlowChecker, path: str) -> None:
        c.recipients(f"{path}.approvers", self.approvers)
        for i, key in enumerate(self.editable_fields):
            c.field(f"{path}.editable_fields[{i}]", key, writable=True)
        named = self.approvers.users
        if self.mode == "n_of_m" and named and not (self.approvers.roles or self.approvers.field) \
                and (self.required or 0) > len(named):
            c.add(f"{path}.required", "no_approver", f"需要 {self.required} 人同意，但只有 {len(named)} 位审批人",
                  f"{self.required} approvals required from {len(named)} approvers")

    def enter(self, run: Run, path: str) -> bool:
        return _enter(run, path, self)

    @property
    def actions(self) -> list[str]:
        """What the approver of an open task may do, named as the task API's routes."""
        allowed = {"return": self.allow_return, "transfer": self.allow_transfer,
                   "add-approvers": self.allow_add_approver}
        return ["approve", "reject", *(name for name, on in allowed.items() if on)]


def editable_by(definition: FlowDefinition, state: FlowInstanceState, user: str) -> set[str]:
    """The record's fields `user` may change now: those the steps of their open approval tasks allow."""
    steps = dict(walk_steps(definition.steps))
    found: set[str] = set()
    for task in state.open_tasks():
        step = steps.get(task.step)
        if task.kind == "approval" and task.assignee == user and isinstance(step, ApprovalStep):
            found.update(step.editable_fields)
    return found


def task_actions(definition: FlowDefinition, step: str) -> list[str]:
    """The actions an open approval task at this step path allows (none for a path the flow lacks)."""
    found = dict(walk_steps(definition.steps)).get(step)
    return found.actions if isinstance(found, ApprovalStep) else []


def _stage_at(run: Run, stage: Stage, since: datetime) -> datetime:
    return run.after(stage.after, stage.business, start=since)


def _open(run: Run, path: str, step: ApprovalStep, user: str, since: datetime | None = None,
          stage: int = 0) -> Task:
    """Open a task; its SLA clock runs from `since` (now) at stage `stage` (an escalated task goes on with
    the stages after the one that escalated it)."""
    stages = step.stages
    task = run.open_task(path, user)
    if stage < len(stages):
        task.sla_since = since or run.now
        task.due_at = _stage_at(run, stages[stage], task.sla_since)
        run.set_timer(due_key(task.key, stage), task.due_at)
    run.emit(fx.Notify("in_app", (user,), "待审批", f"{run.state.submitter or '系统'} 提交的“{run.definition.name}”"
                       f"等待你审批（{step.name}）", path, named=(run.state.submitter,) if run.state.submitter else ()))
    return task


def _enter(run: Run, path: str, step: ApprovalStep) -> bool:
    approvers = resolve(step.approvers, run.ctx.org, run.state.submitter, run.record, run.state.chosen.get(path, ()))
    if not approvers:
        if step.if_empty == "approve":
            run.log("skipped", f"“{step.name}”没有审批人，自动通过", f"{step.name!r} has no approver: passed",
                    step=path)
            return True
        run.finish("failed", f"“{step.name}”找不到审批人", f"{step.name!r} resolves to no approver", step=path)
        return False
    required = {"any": 1, "all": len(approvers), "sequential": len(approvers)}.get(step.mode, step.required or 1)
    if required > len(approvers):
        run.finish("failed", f"“{step.name}”需要 {required} 人同意，只有 {len(approvers)} 位审批人",
                   f"{step.name!r} needs {required} approvals but has {len(approvers)} approvers", step=path)
        return False
    run.state.approvals[path] = ApprovalRun(approvers=approvers, required=required)
    first = approvers[:1] if step.mode == "sequential" else approvers
    for user in first:
        _open(run, path, step, user)
    run.log("approval", f"等待 {'、'.join(first)} 审批", f"waiting for {', '.join(first)}", step=path,
            approvers=approvers, mode=step.mode, required=required)
    return False


def _finish_step(run: Run, path: str) -> None:
    for task in run.state.open_tasks(path):
        run.close_task(task, "skipped")
    run.log("step_approved", "本步骤通过", "step approved", step=path)
    step_done(run, path)


def _approve(run: Run, step: ApprovalStep, task: Task, actor: str | None, comment: str | None) -> None:
    state = run.state.approvals[task.step]
    run.close_task(task, "approved", actor, comment)
    run.log("approved", "同意", "approved", step=task.step, actor=actor or task.assignee, comment=comment,
            task=task.key, auto=actor is None)
    if back_to_asker(run, task, lambda user: _open(run, task.step, step, user)):
        return  # one asked first (前加签): it goes back to the approver who asked, who decides for the step
    state.approved.append(task.assignee)
    if step.mode == "sequential":
        state.position += 1
        if state.position < len(state.approvers):
            _open(run, task.step, step, state.approvers[state.position])
            return
        _finish_step(run, task.step)
    elif len(state.approved) >= state.required:
        _finish_step(run, task.step)


def _reject(run: Run, step: ApprovalStep, task: Task, actor: str | None, comment: str | None) -> None:
    state = run.state.approvals[task.step]
    run.close_task(task, "rejected", actor, comment)
    run.log("rejected", "驳回", "rejected", step=task.step, actor=actor or task.assignee, comment=comment,
            task=task.key, auto=actor is None)
    state.rejected.append(rejecter(run, task))
    if step.mode == "n_of_m" and len(state.approvers) - len(state.rejected) >= state.required:
        return  # enough approvers are left to reach N
    for other in run.state.open_tasks(task.step):
        run.close_task(other, "skipped")
    reject(run, task.step, actor, comment)


def _return(run: Run, task: Task, actor: str, comment: str | None) -> None:
    run.close_task(task, "returned", actor, comment)
    for other in run.state.open_tasks():
        run.close_task(other, "cancelled")
    run.state.cursors.clear()
    run.state.waiting.clear()
    run.state.timers.clear()
    run.state.status = "returned"
    run.log("returned", "退回发起人修改", "returned to the submitter", step=task.step, actor=actor, comment=comment)
    if run.state.submitter:
        run.emit(fx.Notify("in_app", (run.state.submitter,), "已退回",
                           f"“{run.definition.name}”被 {actor} 退回：{comment or ''}", task.step,
                           named=(actor,) if actor else ()))


def _replace(run: Run, step: ApprovalStep, task: Task, to: str) -> None:
    hand_over(run.state.approvals[task.step], task.assignee, to)
    _open(run, task.step, step, to)


def _join(run: Run, step: ApprovalStep, task: Task, users: list[str], since: datetime | None = None,
          stage: int = 0) -> None:
    """Approvers joining `task`'s step (加签, or an escalation to several): next in line when it runs in
    order (依次), else beside the others, each with a task of their own (in `all` they must approve too)."""
    if not users:
        return
    state = run.state.approvals[task.step]
    if step.mode == "sequential":
        state.approvers[state.position + 1:state.position + 1] = users
        state.required = len(state.approvers)
    else:
        state.approvers.extend(users)
        if step.mode == "all":
            state.required = len(state.approvers)
        for user in users:
            _open(run, task.step, step, user, since, stage)


def _add(run: Run, step: ApprovalStep, task: Task, event: AddApprovers) -> None:
    """加签 after oneself (后加签, what 加签 always did: see _join), or before (前加签: asked_first.py)."""
    def open_for(user: str) -> Task:
        return _open(run, task.step, step, user)

    if event.position == "before":
        ask_first(run, task, event.users, event.actor, event.comment, open_for)
        return
    state = run.state.approvals[task.step]
    new = [u for u in dict.fromkeys(event.users) if u not in state.approvers and u not in state.asked_first]
    if not join_asker(run, task, new, open_for):
        _join(run, step, task, new)
    run.log("added_approvers", f"后加签：{'、'.join(new)}", f"added approvers after: {', '.join(new)}",
            step=task.step, actor=event.actor, comment=event.comment, users=new, position="after")


_SWITCHES = {"return": ("allow_return", "退回"), "transfer": ("allow_transfer", "转交"),
             "add-approvers": ("allow_add_approver", "加签")}


def _refuse_unless_allowed(step: ApprovalStep, event: Decide | Transfer | AddApprovers) -> None:
    action = "transfer" if isinstance(event, Transfer) else "add-approvers" if isinstance(event, AddApprovers) \
        else event.decision
    if action in _SWITCHES and action not in step.actions:
        option, word = _SWITCHES[action]
        raise FlowStateError(f"“{step.name}”不允许{word}（{option} 为 false）",
                             f"step {step.name!r} does not allow {action} ({option} is false)", field=option)


def act(run: Run, task: Task, event: Decide | Transfer | AddApprovers) -> None:
    """An approver's decision on one of the step's tasks."""
    step = run.steps[task.step]
    assert isinstance(step, ApprovalStep)
    _refuse_unless_allowed(step, event)
    if isinstance(event, Transfer):
        run.close_task(task, "handed_over" if event.handover else "transferred", event.actor, event.comment)
        run.log("transferred", f"转交给 {event.to}", f"transferred to {event.to}", step=task.step, actor=event.actor,
                comment=event.comment, to=event.to)
        _replace(run, step, task, event.to)
    elif isinstance(event, AddApprovers):
        _add(run, step, task, event)
    elif event.decision == "approve":
        _approve(run, step, task, event.actor, event.comment)
    elif event.decision == "reject":
        _reject(run, step, task, event.actor, event.comment)
    else:
        _return(run, task, event.actor, event.comment)


def _escalate(run: Run, step: ApprovalStep, task: Task, stage: Stage, index: int) -> bool:
    """Pass the overdue task to the stage's users or the next level up; False when there is nobody."""
    targets = [u for u in dict.fromkeys(stage.to or []) if u != task.assignee] if stage.to else \
        [t for t in [escalation_target(run.ctx.org, task.assignee)] if t]
    if not targets:
        return False
    run.close_task(task, "escalated")
    run.log("escalated", f"超时未处理，升级给 {'、'.join(targets)}", f"overdue: escalated to {', '.join(targets)}",
            step=task.step, task=task.key, to=targets[0], users=targets)
    state = run.state.approvals[task.step]
    # the stages go on from the original clock; a one-stage `due` starts afresh with each new approver
    since, next_stage = (task.sla_since, index + 1) if step.sla is not None else (None, 0)
    first, more = targets[0], [u for u in targets[1:] if u not in state.approvers and u != targets[0]]
    hand_over(state, task.assignee, first)
    _open(run, task.step, step, first, since, next_stage)
    _join(run, step, task, more, since, next_stage)  # the others join as 加签 would
    return True


def timeout(run: Run, task: Task, index: int = 0) -> None:
    """A stage of the task's SLA came due: remind, escalate, or decide as the step says; then arm the next."""
    step = run.steps[task.step]
    assert isinstance(step, ApprovalStep)
    stages = step.stages
    if index >= len(stages):
        return  # the definition has fewer stages than the timer thought: nothing to do
    stage = stages[index]
    if stage.do == "auto_approve":
        _approve(run, step, task, None, "超时自动通过")
        return
    if stage.do == "auto_reject":
        _reject(run, step, task, None, "超时自动驳回")
        return
    if stage.do == "escalate" and _escalate(run, step, task, stage, index):
        return
    run.emit(fx.Notify("in_app", (task.assignee,), "审批超时提醒",
                       f"“{run.definition.name}”的“{step.name}”已超时，请尽快处理", task.step))
    run.log("reminded", f"超时提醒 {task.assignee}", f"reminded {task.assignee}", step=task.step, task=task.key)
    if index + 1 < len(stages):
        run.set_timer(due_key(task.key, index + 1), _stage_at(run, stages[index + 1], task.sla_since or task.created_at))
