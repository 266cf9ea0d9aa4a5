"""create_record: create a record in another form, its values computed from this record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep, values_of
from engine.flows.checker import FlowChecker
from engine.flows.run import Run
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition


class CreateRecordAction(ActionStep):
    """Create a record in another form, its values computed from this record."""

    action: Literal["create_record"]
    label = "新建记录"
    sample = {"type": "action", "action": "create_record", "form": "item", "values": {"name": "name"}}
    form: Key
    values: dict[Key, str] = Field(default_factory=dict)

    @classmethod
    def starter(cls, app: AppDefinition, form: FormDefinition) -> dict[str, Any]:
        target = next((f for f in app.forms if f.key != form.key), form)
        return {**cls.sample, "form": target.key, "values": {}}

    def check(self, c: FlowChecker, path: str) -> None:
        target = c.app.forms_by_key.get(self.form)
        if target is None:
            c.add(f"{path}.form", "unknown_form", f"表单 {self.form} 不存在", f"no form {self.form!r}")
        for key, text in self.values.items():
            if target is not None:
                c.field(f"{path}.values.{key}", key, writable=True, form=target)
            c.expression(f"{path}.values.{key}", text)

    def act(self, run: Run, path: str) -> None:
        run.emit(fx.CreateRecord(self.form, values_of(run, self.values), path))
        run.log("created", f"在“{self.form}”中新建记录", f"creating a {self.form} record", step=path)


__all__ = ["CreateRecordAction"]
