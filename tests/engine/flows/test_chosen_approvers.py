"""发起人自选: a step whose people the submitter picks when submitting — the picks are checked against the
steps that let the submitter choose, kept for a resubmission, and shown as such by a trial."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.app_check import parse_app
from engine.errors import ValidationFailed
from engine.flows import effects as fx
from engine.flows.approvers import resolve
from engine.flows.chosen import MAX_CHOSEN, chosen_by_path, chosen_steps
from engine.flows.events import Decide, Start
from engine.flows.machine import advance
from engine.flows.parts import Recipients
from engine.flows.run import FlowContext
from engine.flows.state import FlowInstanceState
from engine.flows.trial import CHOSEN, trial
from engine.org import Org
from tests.flows import approval, approval_flow, tickets

NOW = datetime(2026, 12, 6, 2, tzinfo=UTC)
ORG = Org(roles={"team_lead": frozenset({"li"})})
APP = parse_app(tickets(approval_flow(
    approval({"role": "team_lead"}, name="组长审批"),
    approval({"chosen": True}, mode="all", name="自选会签", key="picked"),
    {"type": "cc", "name": "抄送", "to": {"chosen": True}, "message": "{summary}"})))
FLOW, CTX = APP.flows[0], FlowContext({"summary": "漏水", "cost": "6000"}, ORG, APP.form("ticket"))


def test_a_chosen_spec_names_exactly_whom_the_submitter_picked() -> None:
    spec = Recipients.model_validate({"chosen": True})
    assert resolve(spec, ORG, "wang", {}, ["zhao", "qian"]) == ["zhao", "qian"]
    assert resolve(spec, ORG, "wang", {}) == []
    assert resolve(Recipients.model_validate({"role": "team_lead"}), ORG, "wang", {}, ["zhao"]) == ["li"]


def test_the_steps_that_let_the_submitter_choose_are_found_by_path_or_key() -> None:
    assert [path for path, _ in chosen_steps(FLOW)] == ["steps[1]", "steps[2]"]
    assert chosen_by_path(FLOW, {"picked": ["zhao", "zhao", "qian"], "steps[2]": ["sun"]}) == {
        "steps[1]": ["zhao", "qian"], "steps[2]": ["sun"]}


@pytest.mark.parametrize(("picked", "path", "code"), [
    ({"steps[0]": ["zhao"]}, "chosen.steps[0]", "unknown_step"),  # the team lead's step is not chosen
    ({"nowhere": ["zhao"]}, "chosen.nowhere", "unknown_step"),
    ({"picked": [f"u{i}" for i in range(MAX_CHOSEN + 1)]}, "chosen.picked", "too_many"),
], ids=["not-chosen", "unknown", "too-many"])
def test_a_pick_for_a_step_that_does_not_ask_is_refused_at_its_name(picked: dict[str, list[str]], path: str,
                                                                     code: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        chosen_by_path(FLOW, picked)
    assert [(i.path, i.code) for i in refused.value.issues] == [(path, code)]


def test_the_picked_people_are_asked_and_copied_and_a_resubmission_keeps_them() -> None:
    started = advance(FLOW, FlowInstanceState(), Start("wang", {"steps[1]": ["zhao", "qian"], "steps[2]": ["sun"]}),
                      NOW, CTX)
    state = advance(FLOW, started.state, Decide("t1", "li", "approve"), NOW, CTX).state
    assert sorted(t.assignee for t in state.open_tasks()) == ["qian", "zhao"]
    returned = advance(FLOW, state, Decide("t2", "zhao", "return"), NOW, CTX).state
    again = advance(FLOW, returned, Start("wang"), NOW, CTX).state
    assert again.chosen == {"steps[1]": ["zhao", "qian"], "steps[2]": ["sun"]}
    for task in ("t4", "t5", "t6"):
        outcome = advance(FLOW, again, Decide(task, again.tasks[task].assignee, "approve"), NOW, CTX)
        again = outcome.state
    assert again.status == "approved"
    assert any(isinstance(e, fx.Notify) and e.users == ("sun",) for e in outcome.effects)


def test_a_trial_shows_the_submitters_choice_where_nobody_has_picked_yet() -> None:
    seen = trial(FLOW, CTX, "wang", NOW)
    assert seen.status == "approved" and seen.asked == {"steps[0]": ["li"], "steps[1]": [CHOSEN]}
