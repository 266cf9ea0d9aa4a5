"""The base of every action (`"type": "action"`, told apart by `"action"`): its model, its save-time check
and what it does, in one class per module, listed in actions/__init__.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Literal, get_args

from engine.flows.run import Run, plain
from engine.flows.steps.base import StepType


class ActionStep(StepType):
    """An action step: does one thing and finishes at once. Subclasses declare `action: Literal[...]`."""

    type: Literal["action"]
    name: str | None = None
    label: ClassVar[str] = ""

    @classmethod
    def action_name(cls) -> str:
        """The JSON `"action"` this class stands for."""
        return str(get_args(cls.model_fields["action"].annotation)[0])

    def enter(self, run: Run, path: str) -> bool:
        self.act(run, path)
        return True

    def act(self, run: Run, path: str) -> None:
        """Emit the action's effects and log them."""
        raise NotImplementedError


def values_of(run: Run, expressions: dict[str, str]) -> dict[str, Any]:
    """Evaluate each expression on the record now, as JSON values."""
    return {key: plain(run.evaluate(text)) for key, text in expressions.items()}


def form_name(run: Run, key: str) -> tuple[str, str]:
    """A form's name for the timeline (Chinese, English): its key when the run does not know the form."""
    form = run.ctx.forms.get(key)
    return (form.name, form.name_en or form.name) if form is not None else (key, key)


def field_labels(run: Run, keys: Iterable[str]) -> list[str]:
    """Fields of the flow's form by label, for the timeline; a key when the run does not know the form."""
    form = run.ctx.form
    return [form.by_key[k].label if form is not None and k in form.by_key else k for k in keys]


__all__ = ["ActionStep", "field_labels", "form_name", "values_of"]
