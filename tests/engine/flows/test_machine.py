"""The pure flow machine: every (status, event) pair against the guards, and the step semantics without
a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest

from engine.app_check import parse_app
from engine.errors import FlowStateError, InvalidDefinition, NotAssignee
from engine.flows import effects as fx
from engine.flows.events import EVENT_TYPES, AddApprovers, Answered, Cancel, Decide, Start, TimerFired, Transfer
from engine.flows.machine import GUARDS, advance
from engine.flows.run import FlowContext
from engine.flows.state import STATUSES, FlowInstanceState
from engine.flows.steps import approval as approval_step
from engine.org import Org
from tests.flows import approval, approval_flow, tickets

NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)
ORG = Org(roles={"team_lead": frozenset({"li"}), "board": frozenset({"b1", "b2", "b3"})})


def flow_of(*steps: dict[str, Any], **more: Any) -> tuple[Any, FlowContext]:
    app = parse_app(tickets(approval_flow(*steps, **more)))
    return app.flows[0], FlowContext({"summary": "x", "cost": "6000"}, ORG, app.form("ticket"))


FLOW, CTX = flow_of(approval({"role": "team_lead"}, due="PT1H"))
EVENTS = {
    "start": Start("wang"),
    "approve": Decide("t1", "li", "approve"),
    "reject": Decide("t1", "li", "reject"),
    "return": Decide("t1", "li", "return"),
    "transfer": Transfer("t1", "li", "zhang"),
    "add": AddApprovers("t1", "li", ("zhang",)),
    "timer": TimerFired("due:t1"),
    "answered": Answered("steps[0]", {"response": {"status": 200, "body": {}}}),  # not an HTTP step: nothing
    "cancel": Cancel("wang"),
}


def test_every_event_type_is_guarded_and_exercised() -> None:
    assert set(GUARDS) == set(EVENT_TYPES) == {type(e) for e in EVENTS.values()}


def state_in(status: str) -> FlowInstanceState:
    running = advance(FLOW, FlowInstanceState(), Start("wang"), NOW, CTX).state
    if status == "new":
        return FlowInstanceState()
    return running if status == "running" else running.model_copy(update={"status": status})


@pytest.mark.parametrize(("status", "event"), list(product(STATUSES, EVENTS)),
                         ids=[f"{s}-{e}" for s, e in product(STATUSES, EVENTS)])
def test_every_status_and_event_pair_obeys_its_guard(status: str, event: str) -> None:
    guard = GUARDS[type(EVENTS[event])]
    state = state_in(status)
    later = NOW + timedelta(hours=2)
    if status in guard.from_states:
        outcome = advance(FLOW, state, EVENTS[event], later, CTX)
        assert outcome.state.status in guard.to_states
        assert state == state_in(status)  # the given state is never changed in place
    elif guard.otherwise == "ignore":
        outcome = advance(FLOW, state, EVENTS[event], later, CTX)
        assert (outcome.state, outcome.effects, outcome.changed) == (state, [], False)
    else:
        with pytest.raises(FlowStateError):
            advance(FLOW, state, EVENTS[event], later, CTX)


def test_a_decision_by_someone_else_is_refused() -> None:
    with pytest.raises(NotAssignee):
        advance(FLOW, state_in("running"), Decide("t1", "zhang", "approve"), NOW, CTX)


def test_a_timer_before_its_time_does_nothing() -> None:
    outcome = advance(FLOW, state_in("running"), TimerFired("due:t1"), NOW + timedelta(minutes=59), CTX)
    assert not outcome.changed


def test_the_start_opens_a_task_with_its_due_timer_and_tells_the_approver() -> None:
    outcome = advance(FLOW, FlowInstanceState(), Start("wang"), NOW, CTX)
    assert [t.assignee for t in outcome.state.open_tasks()] == ["li"]
    assert fx.SetTimer("due:t1", NOW + timedelta(hours=1)) in outcome.effects
    assert any(isinstance(e, fx.Notify) and e.users == ("li",) for e in outcome.effects)


def test_condition_takes_the_first_true_branch_and_says_why() -> None:
    flow, ctx = flow_of({"type": "condition", "branches": [
        {"name": "大额", "when": "cost > 5000", "steps": [{"type": "action", "action": "update_record",
                                                        "set": {"note": '"大额"'}}]},
        {"name": "小额", "when": "cost > 0", "steps": []}, {"default": True, "steps": []}]})
    outcome = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx)
    assert outcome.state.status == "completed"
    branch = next(e for e in outcome.state.timeline if e.kind == "branch")
    assert "大额" in branch.message and "cost > 5000" in branch.message
    assert outcome.effects[0] == fx.UpdateRecord({"note": "大额"}, "steps[0].branches[0].steps[0]")


def test_later_conditions_see_the_values_an_update_step_set() -> None:
    flow, ctx = flow_of({"type": "action", "action": "update_record", "set": {"cost": "1"}},
                        {"type": "condition", "branches": [
                            {"when": "cost > 5000", "steps": [approval({"role": "team_lead"})]},
                            {"default": True, "steps": []}]})
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    assert state.status == "approved" and state.tasks == {}  # the big-amount branch was not taken


def test_sequential_add_approver_goes_right_after_the_current_one() -> None:
    flow, ctx = flow_of(approval({"users": ["b1", "b2"]}, "sequential"))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    state = advance(flow, state, AddApprovers("t1", "b1", ("b3",)), NOW, ctx).state
    state = advance(flow, state, Decide("t1", "b1", "approve"), NOW, ctx).state
    assert [t.assignee for t in state.open_tasks()] == ["b3"]
    state = advance(flow, state, Decide("t2", "b3", "approve"), NOW, ctx).state
    assert [t.assignee for t in state.open_tasks()] == ["b2"]


def test_escalation_without_a_department_falls_back_to_a_reminder() -> None:
    flow, ctx = flow_of(approval({"role": "team_lead"}, due={"after": "PT1H", "action": "escalate"}))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    outcome = advance(flow, state, TimerFired("due:t1"), NOW + timedelta(hours=1), ctx)
    assert outcome.state.timeline[-1].kind == "reminded"
    assert [t.assignee for t in outcome.state.open_tasks()] == ["li"]


@pytest.mark.parametrize(("option", "event"), [
    ("allow_return", Decide("t1", "li", "return")),
    ("allow_transfer", Transfer("t1", "li", "zhang")),
    ("allow_add_approver", AddApprovers("t1", "li", ("zhang",))),
], ids=["return", "transfer", "add"])
def test_a_switched_off_action_is_refused_naming_its_option_and_changes_nothing(option: str, event: Any) -> None:
    flow, ctx = flow_of(approval({"role": "team_lead"}, **{option: False}))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    with pytest.raises(FlowStateError) as refused:
        advance(flow, state, event, NOW, ctx)
    assert refused.value.extra["field"] == option
    assert advance(flow, state, Decide("t1", "li", "approve"), NOW, ctx).state.status == "approved"


def test_an_approval_step_allows_every_action_unless_switched_off() -> None:
    flow, _ = flow_of(approval({"role": "team_lead"}), approval({"role": "board"}, allow_transfer=False,
                                                                  allow_return=False))
    assert approval_step.task_actions(flow, "steps[0]") == ["approve", "reject", "return", "transfer", "add-approvers"]
    assert approval_step.task_actions(flow, "steps[1]") == ["approve", "reject", "add-approvers"]


def test_only_the_approver_of_an_open_task_may_edit_the_steps_editable_fields() -> None:
    flow, ctx = flow_of(approval({"users": ["b1", "b2"]}, "sequential", editable_fields=["cost", "note"]),
                        approval({"role": "team_lead"}))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    assert approval_step.editable_by(flow, state, "b1") == {"cost", "note"}
    assert approval_step.editable_by(flow, state, "b2") == set()  # not their turn yet
    state = advance(flow, state, Decide("t1", "b1", "approve"), NOW, ctx).state
    assert approval_step.editable_by(flow, state, "b1") == set()
    state = advance(flow, state, Decide("t2", "b2", "approve"), NOW, ctx).state
    assert approval_step.editable_by(flow, state, "li") == set()  # the next step lets nobody edit


def test_sla_stages_remind_then_escalate_to_named_users_then_approve_on_the_original_clock() -> None:
    flow, ctx = flow_of(approval({"role": "team_lead"}, sla=[
        {"after": "PT1H", "do": "remind"}, {"after": "PT2H", "do": "escalate", "to": ["zhang"]},
        {"after": "PT3H", "do": "auto_approve"}]))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    assert state.timers == {"due:t1": NOW + timedelta(hours=1)}
    outcome = advance(flow, state, TimerFired("due:t1"), NOW + timedelta(hours=1), ctx)
    assert outcome.state.timeline[-1].kind == "reminded"
    assert fx.SetTimer("due:t1:1", NOW + timedelta(hours=2)) in outcome.effects
    state = advance(flow, outcome.state, TimerFired("due:t1:1"), NOW + timedelta(hours=2), ctx).state
    assert [t.assignee for t in state.open_tasks()] == ["zhang"] and state.tasks["t1"].status == "escalated"
    assert state.timers == {"due:t2:2": NOW + timedelta(hours=3)}  # the third stage, counted from the start
    state = advance(flow, state, TimerFired("due:t2:2"), NOW + timedelta(hours=3), ctx).state
    assert state.status == "approved" and state.tasks["t2"].comment == "超时自动通过"


def test_deciding_a_task_drops_every_stage_of_its_sla() -> None:
    flow, ctx = flow_of(approval({"role": "team_lead"}, sla=[
        {"after": "PT1H", "do": "remind"}, {"after": "PT2H", "do": "auto_reject"}]), approval({"role": "board"}))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    state = advance(flow, state, TimerFired("due:t1"), NOW + timedelta(hours=1), ctx).state
    state = advance(flow, state, Decide("t1", "li", "approve"), NOW + timedelta(hours=1), ctx).state
    assert not any(key.startswith("due:t1") for key in state.timers)
    assert not advance(flow, state, TimerFired("due:t1:1"), NOW + timedelta(hours=2), ctx).changed


def test_a_one_stage_due_may_escalate_to_named_users_and_the_new_approver_gets_a_fresh_due() -> None:
    flow, ctx = flow_of(approval({"role": "team_lead"}, due={"after": "PT1H", "action": "escalate",
                                                             "escalate_to": ["zhang", "b1"]}, mode="all"))
    state = advance(flow, FlowInstanceState(), Start("wang"), NOW, ctx).state
    state = advance(flow, state, TimerFired("due:t1"), NOW + timedelta(hours=1), ctx).state
    assert sorted(t.assignee for t in state.open_tasks()) == ["b1", "zhang"]
    assert state.approvals["steps[0]"].required == 2  # in 会签 both must approve, as 加签 would
    assert state.timers["due:t2"] == NOW + timedelta(hours=2)


@pytest.mark.parametrize("step", [
    approval({"role": "team_lead"}, due="PT1H", sla=[{"after": "PT2H", "do": "remind"}]),
    approval({"role": "team_lead"}, sla=[{"after": "PT2H", "do": "remind", "to": ["zhang"]}]),
    approval({"role": "team_lead"}, sla=[]),
    approval({"role": "team_lead"}, sla=[{"after": "2 hours", "do": "remind"}]),
], ids=["both-shapes", "to-without-escalate", "no-stage", "bad-duration"])
def test_a_bad_sla_is_refused(step: dict[str, Any]) -> None:
    flow_of(approval({"role": "team_lead"}, sla=[{"after": "PT2H", "do": "escalate", "to": ["zhang"]}]))  # a good one
    with pytest.raises(InvalidDefinition):
        flow_of(step)
