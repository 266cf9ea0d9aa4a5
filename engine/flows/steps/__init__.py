"""Step types, one module each; `STEPS` maps a step's `type` to the module that enters it.

A step module has `enter(run, path, step) -> bool`: True when the step finished at once, False when
it waits (for approvers, a timer or its branches). Adding a step type = one module + one line here."""

from __future__ import annotations

from types import ModuleType

from engine.flows.steps import action, approval, condition, notify, parallel, wait

STEPS: dict[str, ModuleType] = {
    "approval": approval,
    "notify": notify,
    "cc": notify,
    "condition": condition,
    "parallel": parallel,
    "action": action,
    "wait": wait,
}

__all__ = ["STEPS"]
