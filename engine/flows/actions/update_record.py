"""update_record: set fields of the record from expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep, field_labels, values_of
from engine.flows.checker import FlowChecker
from engine.flows.run import Run
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition


class UpdateRecordAction(ActionStep):
    """Set fields of the record from expressions."""

    action: Literal["update_record"]
    label = "更新记录"
    sample = {"type": "action", "action": "update_record", "set": {"name": "name & \"（已审）\""}}
    set: dict[Key, str] = Field(min_length=1)

    @classmethod
    def starter(cls, app: AppDefinition, form: FormDefinition) -> dict[str, Any]:
        first = next((f.key for f in form.fields if not f.computed), None)
        return {**cls.sample, "set": {first: first}} if first else dict(cls.sample)

    def check(self, c: FlowChecker, path: str) -> None:
        for key, text in self.set.items():
            c.field(f"{path}.set.{key}", key, writable=True)
            c.expression(f"{path}.set.{key}", text, answers=True)

    def act(self, run: Run, path: str) -> None:
        values = values_of(run, self.set)
        run.emit(fx.UpdateRecord(values, path))
        labels = field_labels(run, values)
        run.log("updated", f"更新记录：{'、'.join(labels)}", f"updated {', '.join(labels)}", step=path, values=values)


__all__ = ["UpdateRecordAction"]
