"""create_record: create a record in another form, its values computed from this record; `match` (equal fields) or
`match_duplicates` (the target form's duplicate rules) uses an existing one instead, `link` points a relation of
this record at it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep, form_name, values_of
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
    match: dict[Key, str] = Field(default_factory=dict)
    """field of `form` → expression: the live record whose fields all equal these values is used, none is created."""
    match_duplicates: bool = False
    """Use the oldest live record the target form's duplicate rules take for a likely duplicate of the new
    record's `values` (a branch is not one); tried after `match`, none found: one is created."""
    link: Key | None = None
    """A relation field of the flow's form to `form`, set to the record created or matched."""

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
            c.expression(f"{path}.values.{key}", text, answers=True)
        for key, text in self.match.items():
            if target is not None:
                c.field(f"{path}.match.{key}", key, form=target)
                found = target.by_key.get(key)
                if found is not None and found.storage_kind() == "json":  # lists and objects: no equality in SQL
                    c.add(f"{path}.match.{key}", "wrong_field_type", f"字段 {key} 不能用来查找已有记录",
                          f"field {key!r} cannot be matched (its values are lists or objects)")
            c.expression(f"{path}.match.{key}", text, answers=True)
        if self.match_duplicates and target is not None and not target.duplicate_rules:
            c.add(f"{path}.match_duplicates", "no_duplicate_rules", f"表单 {self.form} 没有查重规则",
                  f"form {self.form!r} has no duplicate rules")
        if self.link is not None:
            self._check_link(c, f"{path}.link", self.link)

    def _check_link(self, c: FlowChecker, path: str, key: str) -> None:
        c.field(path, key, ("relation",), writable=True)
        found = c.form.by_key.get(key) if c.form is not None else None
        if found is not None and found.type == "relation" and getattr(found, "target", None) != self.form:
            c.add(path, "unknown_relation", f"字段 {key} 不是指向“{self.form}”的关联",
                  f"field {key!r} is not a relation to {self.form!r}")

    def act(self, run: Run, path: str) -> None:
        # A field that an earlier create_record of this transition links is not known until the runtime
        # writes it: naming it alone (`"customer": "customer"`) passes the new record's id on.
        pending = {e.link: fx.Created(e.step) for e in run.effects if isinstance(e, fx.CreateRecord) and e.link}

        def computed(expressions: dict[str, str]) -> dict[str, Any]:
            bare = {k: pending[t.strip()] for k, t in expressions.items() if t.strip() in pending}
            return {**values_of(run, {k: t for k, t in expressions.items() if k not in bare}), **bare}

        run.emit(fx.CreateRecord(self.form, computed(self.values), path, computed(self.match), self.link,
                                 self.match_duplicates))
        name, name_en = form_name(run, self.form)
        if self.match or self.match_duplicates:
            run.log("created", f"在“{name}”中关联或新建记录", f"matching or creating a {name_en} record", step=path)
        else:
            run.log("created", f"在“{name}”中新建记录", f"creating a {name_en} record", step=path)


__all__ = ["CreateRecordAction"]
