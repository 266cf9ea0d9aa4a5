"""The registry of step types. Built-ins are listed here, explicitly; one module per type, each a class
holding its definition model, its save-time `check` and what `enter` does. The action step is a second
registry (engine/flows/actions), told apart by `"action"`.

Adding a step type = one module with its class, one line here, and its test."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field

from engine.flows.actions import any_action_annotation
from engine.flows.steps.approval import ApprovalStep
from engine.flows.steps.base import StepType
from engine.flows.steps.condition import ConditionBranch, ConditionStep
from engine.flows.steps.notify import NotifyStep
from engine.flows.steps.parallel import ParallelBranch, ParallelStep
from engine.flows.steps.wait import WaitStep
from engine.registry import Registry

step_types: Registry[type[StepType]] = Registry("flow step")

BUILT_INS: tuple[type[StepType], ...] = (ApprovalStep, NotifyStep, ConditionStep, ParallelStep, WaitStep)
for _cls in BUILT_INS:
    for _name in _cls.type_names():
        step_types.register(_name, _cls)


def any_step_annotation() -> Any:
    """The discriminated union of every registered step type and every action."""
    kinds = list(dict.fromkeys(step_types.all()))
    return Annotated[Union[(*kinds, any_action_annotation())], Field(discriminator="type")]  # noqa: UP007


# Branches hold steps of any type: their annotation names the union, resolved now that it exists.
for _model in (ConditionBranch, ParallelBranch, ConditionStep, ParallelStep):
    _model.model_rebuild(_types_namespace={"Step": any_step_annotation()})

__all__ = ["BUILT_INS", "StepType", "any_step_annotation", "step_types", "ApprovalStep", "ConditionBranch",
           "ConditionStep", "NotifyStep", "ParallelBranch", "ParallelStep", "WaitStep"]
