"""The base of every step type: a step's definition model carries its save-time check and what entering it
does, as a field type carries its validation. One module per type, listed in steps/__init__.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, get_args

from engine.flows.parts import _Model
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.flows.checker import FlowChecker
    from engine.flows.run import Run
    from engine.forms.model import FormDefinition


class StepType(_Model):
    """A step of a flow. Subclasses declare `type: Literal[...]` (the JSON `"type"`), their options as
    fields, and implement `enter`; `check` adds save-time issues beyond what the model itself refuses."""

    key: Key | None = None
    label: ClassVar[str] = ""
    """The step's name in the designer (zh-CN)."""
    sample: ClassVar[dict[str, Any]] = {}
    """A minimal valid definition: the designer's starter, and the contract tests' example. Names a user
    `admin` and fields `name` (text), `amount` (number), `keeper` (user) and `due_on` (date) where it needs any."""

    @classmethod
    def type_names(cls) -> tuple[str, ...]:
        """The values of `type` this class stands for (notify also answers to cc)."""
        return get_args(cls.model_fields["type"].annotation)

    @classmethod
    def starter(cls, app: AppDefinition, form: FormDefinition) -> dict[str, Any]:
        """What the designer inserts into a flow on `form`: the sample, fitted to the form where it names
        fields (the designer's + offers a step that is valid at once)."""
        return dict(cls.sample)

    def check(self, c: FlowChecker, path: str) -> None:
        """Add save-time issues at `path` (the step's JSON path) to `c`; nothing by default."""

    def enter(self, run: Run, path: str) -> bool:
        """Start the step: True when it finished at once, False when it waits (approvers, a timer, branches)."""
        raise NotImplementedError


__all__ = ["StepType"]
