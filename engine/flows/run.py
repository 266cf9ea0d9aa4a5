"""One transition in progress: the definition, a working copy of the state, the moment, the record and
the organisation it may read, and the effects collected so far. Step modules act through it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.nodes import BOOL, Type
from engine.flows import answers
from engine.flows import effects as fx
from engine.flows.calendar import BusinessCalendar, add_duration
from engine.flows.durations import parse_duration
from engine.flows.state import Entry, FlowInstanceState, Status, Task, TaskStatus
from engine.flows.tree import walk_steps
from engine.forms.expressions import row_values
from engine.forms.model import FormDefinition
from engine.org import Org

if TYPE_CHECKING:
    from engine.flows.model import FlowDefinition

_BRANCH = re.compile(r"^(?P<step>.+)\.branches\[(?P<branch>\d+)\]\.steps$")
_STEP = re.compile(r"^(?P<seq>.+)\[(?P<index>\d+)\]$")
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_.]*)\}")
"""A `{field}` (or `{relation.field}`) placeholder of a message template."""


@dataclass(frozen=True)
class FlowContext:
    """What a transition may read besides the state: the record (data, related values, system columns),
    the organisation (a snapshot, or a function giving one when a step first needs it), the form, the time
    zone, the working calendar, and the app's forms."""

    record: dict[str, Any]
    organisation: Org | Callable[[], Org] = field(default_factory=Org)
    form: FormDefinition | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    calendar: BusinessCalendar | None = None
    record_id: int | None = None
    forms: Mapping[str, FormDefinition] = field(default_factory=dict)
    """The app's forms by key: the names and labels a step writes into the timeline (a key when missing)."""

    @cached_property
    def org(self) -> Org:
        return self.organisation() if callable(self.organisation) else self.organisation


def plain(value: Any) -> Any:
    """An expression's value as JSON: exact numbers as text, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def parent_of_sequence(seq: str) -> tuple[str, int] | None:
    """`steps[2].branches[1].steps` -> ("steps[2]", 1); the root sequence has no parent."""
    match = _BRANCH.match(seq)
    return (match.group("step"), int(match.group("branch"))) if match else None


def position_of(step: str) -> tuple[str, int]:
    """`steps[2].branches[1].steps[0]` -> ("steps[2].branches[1].steps", 0)."""
    match = _STEP.match(step)
    assert match, step
    return match.group("seq"), int(match.group("index"))


class Run:
    """A transition in progress (mutable working copy; advance() returns it as an Outcome)."""

    def __init__(self, definition: FlowDefinition, state: FlowInstanceState, now: datetime,
                 ctx: FlowContext) -> None:
        self.definition, self.now, self.ctx = definition, now, ctx
        self.state = state.model_copy(deep=True)
        self.effects: list[fx.Effect] = []
        self.record = dict(ctx.record)
        self.steps = dict(walk_steps(definition.steps))

    # --- the tree -------------------------------------------------------------------------------

    def sequence(self, seq: str) -> list[Any]:
        if seq == "steps":
            return list(self.definition.steps)
        parent = parent_of_sequence(seq)
        assert parent is not None, seq
        return list(self.steps[parent[0]].branches[parent[1]].steps)

    def name_of(self, path: str) -> str:
        step = self.steps[path]
        return str(getattr(step, "name", None) or getattr(step, "action", None) or step.type)

    # --- reading the record -------------------------------------------------------------------------

    def evaluate(self, text: str, expect: Type | None = None) -> Any:
        assert self.ctx.form is not None, "expressions need the form"
        values = answers.with_answers(row_values(self.ctx.form, self.record), self.state.answers)
        return evaluate(answers.flow_checked(self.ctx.form, text, expect), values,
                        EvalContext(self.now, self.ctx.timezone, self.state.submitter))

    def holds(self, text: str) -> bool:
        return self.evaluate(text, BOOL) is True

    def render(self, template: str) -> str:
        """`{field}` placeholders filled with the record's values, `{http.<step>.<path>}` with an earlier HTTP
        step's answer (blank for none)."""
        template = answers.render_answers(template, self.state.answers)

        def value(match: re.Match[str]) -> str:
            found = self.record.get(match.group(1))
            return "" if found is None else "、".join(map(str, found)) if isinstance(found, list) else str(found)
        return PLACEHOLDER.sub(value, template)

    def after(self, duration: str, business: bool = False, start: datetime | None = None) -> datetime:
        return add_duration(start or self.now, parse_duration(duration), business=business,
                            calendar=self.ctx.calendar, tz=self.ctx.timezone)

    # --- writing ------------------------------------------------------------------------------------

    def emit(self, effect: fx.Effect) -> None:
        self.effects.append(effect)
        if isinstance(effect, fx.UpdateRecord):
            self.record.update(effect.values)  # later conditions see the new values

    def log(self, kind: str, message: str, en: str, *, step: str | None = None, actor: str | None = None,
            comment: str | None = None, **detail: Any) -> None:
        self.state.timeline.append(Entry(
            at=self.now, kind=kind, actor=actor, step=step, step_name=self.name_of(step) if step else None,
            message=message, message_en=en, comment=comment, detail=detail))

    def open_task(self, step: str, assignee: str, due_at: datetime | None = None) -> Task:
        key = f"t{self.state.next_task}"
        self.state.next_task += 1
        task = Task(key=key, step=step, step_name=self.name_of(step), assignee=assignee, created_at=self.now,
                    due_at=due_at)
        self.state.tasks[key] = task
        if due_at is not None:
            self.set_timer(f"due:{key}", due_at)
        return task

    def close_task(self, task: Task, status: TaskStatus, actor: str | None = None, comment: str | None = None) -> None:
        task.status = status
        task.decided_at, task.decided_by, task.comment = self.now, actor, comment
        for key in [k for k in self.state.timers if k == f"due:{task.key}" or k.startswith(f"due:{task.key}:")]:
            del self.state.timers[key]  # every stage of its SLA

    def set_timer(self, key: str, at: datetime) -> None:
        self.state.timers[key] = at
        self.emit(fx.SetTimer(key, at))

    # --- moving on ----------------------------------------------------------------------------------

    def finish(self, status: Status, message: str, en: str, **detail: Any) -> None:
        """End the instance: close what is open, apply on_reject, tell the runtime."""
        for task in self.state.open_tasks():
            self.close_task(task, "cancelled")
        self.state.cursors.clear()
        self.state.waiting.clear()
        self.state.timers.clear()
        self.state.status = status
        if status == "rejected" and self.definition.on_reject and self.definition.on_reject.set:
            self.emit(fx.UpdateRecord({k: plain(self.evaluate(v)) for k, v in self.definition.on_reject.set.items()}))
        self.log(status, message, en, **detail)
        self.emit(fx.Finished(status, detail))

    def drop_under(self, prefix: str) -> None:
        """Forget everything inside one branch (a parallel branch that ended early)."""
        for seq in [s for s in self.state.cursors if s.startswith(prefix)]:
            del self.state.cursors[seq]
        self.state.waiting = [w for w in self.state.waiting if not w.startswith(prefix)]
        for task in self.state.open_tasks():
            if task.step.startswith(prefix):
                self.close_task(task, "cancelled")
        for key in [k for k in self.state.timers if k.startswith(f"wait:{prefix}")]:
            del self.state.timers[key]


__all__ = ["PLACEHOLDER", "FlowContext", "Run", "plain", "parent_of_sequence", "position_of"]
