"""The flow designer's edits on a draft: insert, change, move and remove steps and branches by path, checked
against the engine's own validation (what the designer saves is what the engine accepts)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.app_check import parse_app, validate_app
from engine.errors import EngineError
from engine.flows import builder
from engine.flows.steps import step_types
from engine.flows.tree import walk_steps

FORM = {"key": "po", "name": "采购单", "title_field": "item", "fields": [
    {"key": "item", "type": "text", "label": "物品"}, {"key": "amount", "type": "number", "label": "金额"},
    {"key": "keeper", "type": "user", "label": "负责人"}, {"key": "name", "type": "text", "label": "名称"}]}
APPROVE = {"type": "approval", "name": "经理审批", "approvers": {"users": ["admin"]}}
CC = {"type": "cc", "to": {"users": ["admin"]}, "message": "已提交"}


def _draft(*steps: dict[str, Any]) -> dict[str, Any]:
    return {"format": "tangram/app@1", "key": "buy", "name": "采购", "version": "1", "forms": [FORM],
            "flows": [{"key": "f", "name": "采购审批", "form": "po", "trigger": {"on": "submit"},
                       "steps": [copy.deepcopy(s) for s in steps]}]}


def _kinds(draft: dict[str, Any]) -> list[tuple[str, str]]:
    flow = parse_app(draft).flows[0]
    return [(path, getattr(step, "name", None) or step.type) for path, step in walk_steps(flow.steps)]


def test_insert_a_step_before_another_and_at_the_end() -> None:
    draft = builder.insert_step(_draft(APPROVE), "f", "steps[0]", CC)
    draft = builder.insert_step(draft, "f", "steps[2]", step_types.get("wait").sample)
    assert _kinds(draft) == [("steps[0]", "通知"), ("steps[1]", "经理审批"), ("steps[2]", "等待")]
    with pytest.raises(EngineError):
        builder.insert_step(draft, "f", "steps[9]", CC)


def test_insert_into_a_branch_of_a_condition() -> None:
    saved = parse_app(_draft(step_types.get("condition").sample)).dump()  # as stored: empty branches lose "steps"
    draft = builder.insert_step(saved, "f", "steps[0].branches[0].steps[0]", APPROVE)
    assert ("steps[0].branches[0].steps[0]", "经理审批") in _kinds(draft)
    assert validate_app(draft) == []


def test_move_a_whole_branch_step_and_the_paths_are_named_before_the_move() -> None:
    condition = step_types.get("condition").sample
    draft = _draft(APPROVE, CC, condition)
    draft = builder.insert_step(draft, "f", "steps[2].branches[1].steps[0]", APPROVE | {"name": "财务审批"})
    moved = builder.move_step(draft, "f", "steps[2]", "steps[0]")
    assert [k for k in _kinds(moved) if "." not in k[0]] == [("steps[0]", "条件分支"), ("steps[1]", "经理审批"),
                                                             ("steps[2]", "通知")]
    assert ("steps[0].branches[1].steps[0]", "财务审批") in _kinds(moved)  # its branches came along
    down = builder.move_step(_draft(APPROVE, CC, condition), "f", "steps[0]", "steps[2]")
    assert [k[1] for k in _kinds(down) if "." not in k[0]] == ["通知", "经理审批", "条件分支"]
    into = builder.move_step(draft, "f", "steps[1]", "steps[2].branches[0].steps[0]")
    assert ("steps[1].branches[0].steps[0]", "通知") in _kinds(into)
    with pytest.raises(EngineError):
        builder.move_step(draft, "f", "steps[2]", "steps[2].branches[0].steps[0]")


def test_remove_a_step_and_a_branch() -> None:
    draft = _draft(APPROVE, step_types.get("parallel").sample)
    draft = builder.remove_step(draft, "f", "steps[0]")
    draft = builder.remove_branch(draft, "f", "steps[0]", 1)
    assert _kinds(draft) == [("steps[0]", "并行分支")]
    assert len(parse_app(draft).flows[0].steps[0].branches) == 1
    with pytest.raises(EngineError):
        builder.remove_step(draft, "f", "steps[3]")


def test_a_new_branch_goes_before_the_default_branch() -> None:
    draft = builder.insert_branch(_draft(step_types.get("condition").sample), "f", "steps[0]",
                                  {"name": "中额", "when": "amount > 1000"})
    assert [b.name for b in parse_app(draft).flows[0].steps[0].branches] == ["条件 1", "中额", "其他"]


def test_changing_a_step_checks_it_like_the_engine_does() -> None:
    draft = builder.update_step(_draft(APPROVE), "f", "steps[0]", {"mode": "n_of_m", "required": 2,
                                                                   "approvers": {"users": ["a", "b", "c"]}})
    assert validate_app(draft) == []
    broken = builder.update_step(draft, "f", "steps[0]", {"required": 5})
    assert [i.path for i in validate_app(broken)] == ["flows[0].steps[0].required"]
    assert "required" not in builder.update_step(draft, "f", "steps[0]", {"required": None, "mode": "any"})[
        "flows"][0]["steps"][0]
    with pytest.raises(EngineError):
        builder.update_step(draft, "f", "steps[0]", {"type": "wait"})


PATHS = st.sampled_from(["steps[0]", "steps[1]", "steps[2]", "steps[0].branches[0].steps[0]",
                         "steps[1].branches[1].steps[0]", "steps[9]", "steps[0].branches[5].steps[0]",
                         "branches[0]", "steps[x]", ""])
SAMPLES = st.sampled_from([t.sample for t in set(step_types.all())])
EDITS = st.one_of(
    st.tuples(st.just("insert"), PATHS, SAMPLES), st.tuples(st.just("remove"), PATHS),
    st.tuples(st.just("move"), PATHS, PATHS), st.tuples(st.just("branch"), PATHS),
    st.tuples(st.just("unbranch"), PATHS, st.integers(-1, 3)),
    st.tuples(st.just("branch_move"), PATHS, st.integers(-1, 3), st.integers(-1, 3), st.none() | PATHS))


@settings(max_examples=150)
@given(st.lists(EDITS, max_size=8))
def test_any_sequence_of_edits_gives_a_coded_refusal_or_a_draft_the_engine_can_judge(edits: list[Any]) -> None:
    draft = _draft(APPROVE, step_types.get("condition").sample)
    for edit in edits:
        try:
            if edit[0] == "insert":
                draft = builder.insert_step(draft, "f", edit[1], edit[2])
            elif edit[0] == "remove":
                draft = builder.remove_step(draft, "f", edit[1])
            elif edit[0] == "move":
                draft = builder.move_step(draft, "f", edit[1], edit[2])
            elif edit[0] == "branch":
                draft = builder.insert_branch(draft, "f", edit[1], {"name": "新分支", "when": "amount > 1"})
            elif edit[0] == "branch_move":
                draft = builder.move_branch(draft, "f", *edit[1:])
            else:
                draft = builder.remove_branch(draft, "f", edit[1], edit[2])
        except EngineError as e:
            assert e.code in ("bad_query", "not_found")
        for issue in validate_app(draft):  # never a crash; every problem has a path in the flow or its steps
            assert issue.path.startswith("flows[0]")


def test_move_a_branch_with_its_steps_among_the_branches_of_its_step() -> None:
    draft = _draft(step_types.get("parallel").sample, step_types.get("parallel").sample)
    draft = builder.insert_step(draft, "f", "steps[0].branches[0].steps[0]", APPROVE)
    moved = builder.move_branch(draft, "f", "steps[0]", 0, 2)
    assert [b.name for b in parse_app(moved).flows[0].steps[0].branches] == ["采购", "技术"]
    assert ("steps[0].branches[1].steps[0]", "经理审批") in _kinds(moved)  # its steps came along
    up = builder.move_branch(moved, "f", "steps[0]", 1, 0)
    assert up["flows"][0]["steps"] == draft["flows"][0]["steps"]
    across = builder.move_branch(draft, "f", "steps[0]", 0, 1, "steps[1]")
    assert [b.name for b in parse_app(across).flows[0].steps[1].branches] == ["技术", "技术", "采购"]
    assert [b.name for b in parse_app(across).flows[0].steps[0].branches] == ["采购"]


def test_a_branch_move_out_of_range_or_into_itself_is_refused() -> None:
    draft = _draft(APPROVE, step_types.get("parallel").sample)
    draft = builder.insert_step(draft, "f", "steps[1].branches[0].steps[0]", step_types.get("parallel").sample)
    for args, field in [(("steps[1]", 0, 3), "to"), (("steps[1]", 0, 0, "steps[0]"), "to_path"),
                        (("steps[1]", 0, 0, "steps[1].branches[0].steps[0]"), "to_path")]:
        with pytest.raises(EngineError) as refused:
            builder.move_branch(draft, "f", *args)
        assert refused.value.code == "bad_query" and refused.value.extra["field"] == field
    for args in [("steps[1]", 5, 0), ("steps[0]", 0, 0), ("steps[4]", 0, 0)]:
        with pytest.raises(EngineError) as missing:
            builder.move_branch(draft, "f", *args)
        assert missing.value.code == "not_found"
