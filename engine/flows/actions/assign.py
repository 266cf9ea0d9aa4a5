"""assign: give the record an owner — round-robin or fewest open records, among candidates chosen by a
rule table (the first rule whose condition holds and that names somebody)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.expr.nodes import BOOL
from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep
from engine.flows.actions.task import TaskSpec
from engine.flows.approvers import department_members
from engine.flows.checker import USER_TYPES, FlowChecker
from engine.flows.parts import _Model
from engine.flows.run import Run
from engine.keys import Key

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition


class AssignRule(_Model):
    """One row of a rule table: when the condition holds, pick among these people."""

    when: str | None = None
    users: list[str] | None = None
    role: str | None = None
    department: str | None = None


def candidates(run: Run, rule: AssignRule) -> list[str]:
    """The people one row of a rule table names."""
    found = list(rule.users or [])
    if rule.role:
        found.extend(sorted(run.ctx.org.role_members(rule.role)))
    if rule.department:
        found.extend(department_members(run.ctx.org, rule.department))
    return list(dict.fromkeys(found))


class AssignAction(ActionStep):
    """Give the record an owner: round-robin or fewest open records, among candidates or by a rule table."""

    action: Literal["assign"]
    label = "分配负责人"
    sample = {"type": "action", "action": "assign", "field": "keeper", "rules": [{"users": ["admin"]}]}
    field: Key
    """The user field that receives the chosen user."""
    strategy: Literal["round_robin", "fewest_open"] = "round_robin"
    open_when: str | None = None
    """fewest_open: which records count as open (an expression; default: all)."""
    rules: list[AssignRule] = Field(min_length=1)
    task: TaskSpec | None = None

    @classmethod
    def starter(cls, app: AppDefinition, form: FormDefinition) -> dict[str, Any]:
        user_field = next((f.key for f in form.fields if f.type == "user"), None)
        return {**cls.sample, "field": user_field} if user_field else dict(cls.sample)

    def check(self, c: FlowChecker, path: str) -> None:
        c.field(f"{path}.field", self.field, USER_TYPES[:1])
        c.expression(f"{path}.open_when", self.open_when, BOOL)
        for i, rule in enumerate(self.rules):
            c.expression(f"{path}.rules[{i}].when", rule.when, BOOL)
            if rule.role and rule.role not in c.app.role_keys:
                c.add(f"{path}.rules[{i}].role", "unknown_role", f"角色 {rule.role} 不存在", f"no role {rule.role!r}")
            if not (rule.users or rule.role or rule.department):
                c.add(f"{path}.rules[{i}]", "no_approver", "规则没有指定人员", "the rule names nobody")

    def act(self, run: Run, path: str) -> None:
        for i, rule in enumerate(self.rules):
            if rule.when is None or run.holds(rule.when):
                users = candidates(run, rule)
                if not users:
                    continue  # a rule naming nobody (an empty department) falls through to the next
                due = run.after(self.task.due, self.task.business) if self.task and self.task.due else None
                run.emit(fx.Assign(self.field, self.strategy, tuple(users), path, self.open_when,
                                   self.task.name if self.task else None, due))
                run.log("assigning", f"按规则 {i + 1} 在 {len(users)} 人中分配", f"assigning by rule {i + 1} among "
                        f"{len(users)} people", step=path, rule=i, users=users)
                return
        run.log("assigning", "没有适用的分配规则", "no assignment rule applies", step=path)


__all__ = ["AssignAction", "AssignRule", "candidates"]
