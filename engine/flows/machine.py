"""advance(definition, state, event, now, ctx) -> Outcome(state, effects): the flow engine, pure.

Guards declare which instance statuses an event may arrive in and which it can lead to (as Prefect's
orchestration rules do); an event outside them is refused (FlowStateError) or, for a late timer,
ignored. Step modules (engine/flows/steps/) enter steps and handle the events of their own steps;
this module moves the cursors along the tree and joins branches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.errors import FlowStateError, NotAssignee, NotFound
from engine.flows import answers
from engine.flows import effects as fx
from engine.flows.events import AddApprovers, Answered, Cancel, Decide, Event, Start, TimerFired, Transfer
from engine.flows.model import FlowDefinition
from engine.flows.moves import sequence_done, step_done
from engine.flows.run import FlowContext, Run
from engine.flows.state import FlowInstanceState, Task
from engine.flows.steps import approval

_MAX_MOVES = 10_000  # a finite tree cannot need more; a bug must not spin forever


@dataclass(frozen=True)
class Guard:
    """Which statuses an event may arrive in, which it may lead to, and what happens otherwise."""

    from_states: frozenset[str]
    to_states: frozenset[str]
    otherwise: str = "refuse"  # refuse | ignore
    why: str = ""


_ENDS = frozenset({"approved", "completed", "rejected", "failed"})
GUARDS: dict[type, Guard] = {
    Start: Guard(frozenset({"new", "returned"}), frozenset({"running"}) | _ENDS,
                 why="an instance is submitted once, and again only after it was returned"),
    Decide: Guard(frozenset({"running"}), frozenset({"running", "returned"}) | _ENDS,
                  why="only a running instance has tasks to decide"),
    Transfer: Guard(frozenset({"running"}), frozenset({"running"}), why="only open tasks can be transferred"),
    AddApprovers: Guard(frozenset({"running"}), frozenset({"running"}), why="only open tasks can gain approvers"),
    TimerFired: Guard(frozenset({"running"}), frozenset({"running", "returned"}) | _ENDS, otherwise="ignore",
                      why="a timer may fire after its instance ended; it then does nothing"),
    Answered: Guard(frozenset({"running"}), frozenset({"running", "returned"}) | _ENDS, otherwise="ignore",
                    why="an answer may come after its instance was withdrawn; it then does nothing"),
    Cancel: Guard(frozenset({"running", "returned"}), frozenset({"cancelled"}),
                  why="a finished instance cannot be withdrawn"),
}


@dataclass(frozen=True)
class Outcome:
    """The new state and what the runtime must do; `changed` is False when the event was ignored."""

    state: FlowInstanceState
    effects: list[fx.Effect]
    changed: bool = True


def pump(run: Run) -> None:
    """Enter steps until every branch waits for something or the instance has ended."""
    for _ in range(_MAX_MOVES):
        if run.state.status != "running":
            return
        moved = False
        for seq, index in sorted(run.state.cursors.items()):
            if run.state.status != "running":
                return
            if run.state.cursors.get(seq) != index:
                continue
            steps = run.sequence(seq)
            if index >= len(steps):
                del run.state.cursors[seq]
                sequence_done(run, seq)
                moved = True
                continue
            path = f"{seq}[{index}]"
            if path in run.state.waiting:
                continue
            finished = steps[index].enter(run, path)
            if run.state.status != "running":
                return
            if finished:
                run.state.cursors[seq] = index + 1
            else:
                run.state.waiting.append(path)
            moved = True
        if not moved:
            return
    raise RuntimeError("the flow did not settle")  # pragma: no cover — a bug, not an input


def _task(run: Run, key: str, actor: str | None) -> Task:
    task = run.state.tasks.get(key)
    if task is None:
        raise NotFound(f"没有任务 {key}", f"no task {key!r}")
    if task.status != "open":
        raise FlowStateError(f"任务已处理（{task.status}）", f"the task is already {task.status}")
    if actor is not None and actor != task.assignee:
        raise NotAssignee(f"这个任务由 {task.assignee} 处理", f"the task is assigned to {task.assignee}")
    return task


def _start(run: Run, event: Start) -> None:
    again = run.state.status == "returned"
    if again:
        run.state.approvals.clear()
        run.state.rounds += 1
    run.state.submitter = run.state.submitter or event.actor
    if event.chosen is not None:
        run.state.chosen = {path: list(users) for path, users in event.chosen.items()}
    run.state.status = "running"
    run.state.rounds = max(run.state.rounds, 1)
    run.state.cursors = {"steps": 0}
    run.log("resubmitted" if again else "started", "重新提交" if again else "发起流程",
            "resubmitted" if again else "started", actor=event.actor)


def _timer(run: Run, event: TimerFired) -> bool:
    at = run.state.timers.get(event.key)
    if at is None or at > run.now:
        return False  # cancelled, or replaced by a later one: nothing to do
    del run.state.timers[event.key]
    kind, _, target = event.key.partition(":")
    if kind == "wait":
        run.log("waited", "等待结束", "the wait is over", step=target)
        step_done(run, target)
    elif kind == "due":  # due:<task> (the SLA's first stage) or due:<task>:<stage>
        key, _, stage = target.partition(":")
        task = run.state.tasks[key]
        if task.status == "open":
            approval.timeout(run, task, int(stage or 0))
    return True


def _answered(run: Run, event: Answered) -> bool:
    step = run.steps.get(event.step)
    if event.step not in run.state.waiting or getattr(step, "action", None) != "http_request":
        return False  # answered twice (a job retried by hand after all), or a step the run has left
    key = getattr(step, "key", None)
    if key:
        run.state.answers[key] = answers.kept(dict(event.answer))
    status = (event.answer.get("response") or {}).get("status")
    run.log("http_answered", f"HTTP 应答 {status}", f"HTTP answered {status}", step=event.step, status=status)
    step_done(run, event.step)
    return True


def _handle(run: Run, event: Event) -> bool:
    if isinstance(event, Start):
        _start(run, event)
    elif isinstance(event, Cancel):
        run.finish("cancelled", "已撤回", "withdrawn", actor=event.actor)
        run.state.timeline[-1].actor, run.state.timeline[-1].comment = event.actor, event.comment
    elif isinstance(event, TimerFired):
        return _timer(run, event)
    elif isinstance(event, Answered):
        return _answered(run, event)
    elif isinstance(event, Decide | Transfer | AddApprovers):
        approval.act(run, _task(run, event.task, event.actor), event)
    return True


def advance(definition: FlowDefinition, state: FlowInstanceState, event: Event, now: datetime,
            ctx: FlowContext | None = None) -> Outcome:
    """The next state of an instance after `event` at `now`, and the effects to carry out."""
    guard = GUARDS[type(event)]
    if state.status not in guard.from_states:
        if guard.otherwise == "ignore":
            return Outcome(state, [], changed=False)
        raise FlowStateError(f"流程当前状态为 {state.status}，不能执行此操作",
                             f"the instance is {state.status}: {guard.why}", status=state.status)
    run = Run(definition, state, now, ctx or FlowContext({}))
    if not _handle(run, event):
        return Outcome(state, [], changed=False)
    pump(run)
    return Outcome(run.state, run.effects)


def fail(definition: FlowDefinition, state: FlowInstanceState, now: datetime, message: str, en: str) -> Outcome:
    """End an instance as failed (its effects could not be carried out): open tasks are cancelled, the
    timeline says why. The runtime calls this after rolling the effects back."""
    run = Run(definition, state, now, FlowContext({}))
    run.finish("failed", message, en)
    return Outcome(run.state, [])


__all__ = ["advance", "fail", "Outcome", "GUARDS", "Guard", "pump"]
