"""A trial run (试运行): the path a flow would take on a record and who would be asked, computed without
writing anything. Every approver approves in turn and every timer fires at once, so the trial walks the
whole approval path the record's values choose; what the flow's own actions would change in the record is
not fed back (a condition after an update_record sees the values the record has now). An HTTP 请求 step is
not called: the trial goes on as if it were answered 200 with an empty body (`http.<key>.body…` blank)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.flows import effects as fx
from engine.flows.chosen import chosen_steps
from engine.flows.events import Answered, Decide, Start, TimerFired
from engine.flows.machine import advance
from engine.flows.model import FlowDefinition
from engine.flows.run import FlowContext
from engine.flows.state import Entry, FlowInstanceState

MAX_MOVES = 500
"""Bounds the trial of a flow whose steps keep opening tasks (each decision or timer is one move)."""


@dataclass
class Trial:
    """What the trial saw: the timeline as a real run would write it, each approval step with the people
    asked, the effects the actions would carry out, and how it ended."""

    status: str
    timeline: list[Entry]
    asked: dict[str, list[str]] = field(default_factory=dict)
    """Approval step path → the approvers, in the order their tasks opened."""
    effects: list[Any] = field(default_factory=list)


CHOSEN = "（发起人自选）"
"""Who a trial asks at a step whose people the submitter would pick when submitting (no one has picked)."""


def trial(definition: FlowDefinition, ctx: FlowContext, submitter: str, now: datetime) -> Trial:
    """Run `definition` on the record in `ctx` as `submitter` would start it, approving every task."""
    picks = {path: [CHOSEN] for path, _ in chosen_steps(definition)}
    outcome = advance(definition, FlowInstanceState(), Start(submitter, picks), now, ctx)
    state, effects = outcome.state, list(outcome.effects)
    asked: dict[str, list[str]] = {}
    for _ in range(MAX_MOVES):
        for task in state.tasks.values():
            if task.kind == "approval" and task.assignee not in asked.setdefault(task.step, []):
                asked[task.step].append(task.assignee)
        if state.status != "running":
            break
        event: Any
        pending = next((t for t in state.tasks.values() if t.status == "open" and t.kind == "approval"), None)
        calling = [p for p in state.waiting if any(isinstance(e, fx.CallHttp) and e.step == p for e in effects)]
        if calling:
            event = Answered(calling[0], {"response": {"status": 200, "body": None}})
        elif pending is not None:
            event = Decide(pending.key, pending.assignee, "approve", "试运行")
        elif state.timers:
            key, at = min(state.timers.items(), key=lambda kv: kv[1])
            now = max(now, at)
            event = TimerFired(key)
        else:
            break  # waiting for something a trial cannot give (a to-do): the path stops here
        outcome = advance(definition, state, event, now, ctx)
        state = outcome.state
        effects.extend(outcome.effects)
    return Trial(state.status, state.timeline, asked,
                 [e for e in effects if not isinstance(e, fx.SetTimer | fx.Finished)])


__all__ = ["CHOSEN", "MAX_MOVES", "Trial", "trial"]
