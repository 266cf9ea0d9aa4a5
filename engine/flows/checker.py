"""The save-time checker a flow's steps report to: issues at JSON paths, with helpers for the checks most
steps need (an expression, a field of a form, a recipients spec)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import Type
from engine.expr.typecheck import Checked
from engine.flows.parts import Recipients
from engine.forms.expressions import checked
from engine.forms.model import FormDefinition

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.flows.model import FlowDefinition

USER_TYPES = ("user", "users")
DEPARTMENT_TYPES = ("department",)
DATE_TYPES = ("date", "datetime")


class FlowChecker:
    """Collects a flow's issues at JSON paths; step types call it from their `check`."""

    def __init__(self, app: AppDefinition, flow: FlowDefinition, where: str) -> None:
        self.app, self.flow, self.where = app, flow, where
        self.form: FormDefinition | None = app.forms_by_key.get(flow.form)
        self.issues: list[Issue] = []
        self.read: list[Checked] = []
        """The expressions on the flow's form that checked: what the flow evaluates (engine/flows/reads.py)."""
        self.templates: list[str] = []
        """The message templates with `{field}` placeholders the flow fills in."""

    def add(self, path: str, code: str, message: str, en: str) -> None:
        self.issues.append(Issue(f"{self.where}.{path}", code, message, en))

    def expression(self, path: str, text: str | None, expect: Type | None = None,
                   form: FormDefinition | None = None) -> None:
        form = form or self.form
        if text is None or form is None:
            return
        try:
            found = checked(form, text, expect)
        except ExpressionError as e:
            self.add(path, e.code, e.message, e.message_en or e.message)
            return
        if form is self.form:
            self.read.append(found)

    def template(self, text: str | None) -> None:
        """A text the flow fills in from the record (`{customer.name}`): nothing to report, only to note."""
        if text:
            self.templates.append(text)

    def field(self, path: str, key: str, kinds: tuple[str, ...] | None = None, *, writable: bool = False,
              form: FormDefinition | None = None) -> None:
        form = form or self.form
        if form is None:
            return
        found = form.by_key.get(key)
        if found is None:
            self.add(path, "unknown_field", f"表单“{form.name}”没有字段 {key}", f"form {form.key!r} has no field {key!r}")
        elif kinds and found.type not in kinds:
            self.add(path, "wrong_field_type", f"字段 {key} 应为 {'/'.join(kinds)} 类型",
                     f"field {key!r} must be of type {'/'.join(kinds)}, not {found.type}")
        elif writable and found.computed:
            self.add(path, "not_writable", f"字段 {key} 是计算字段，不能赋值", f"field {key!r} is computed")

    def recipients(self, path: str, spec: Recipients) -> None:
        if spec.users is not None and not spec.users and not (spec.roles or spec.field or spec.submitter
                                                            or spec.department_field or spec.levels_up is not None
                                                            or spec.owner_department_head):
            self.add(f"{path}.users", "no_approver", "审批人列表为空", "the user list is empty")
        for role in spec.roles:
            if role not in self.app.role_keys:
                self.add(f"{path}.role", "unknown_role", f"角色 {role} 不存在，审批人会为空",
                         f"role {role!r} does not exist, so nobody would be asked")
        if spec.field:
            self.field(f"{path}.field", spec.field, USER_TYPES)
        if spec.department_field:
            self.field(f"{path}.department_field.field", spec.department_field.field, DEPARTMENT_TYPES)
        if spec.owner_department_head and spec.owner_department_head.field:
            self.field(f"{path}.owner_department_head.field", spec.owner_department_head.field, USER_TYPES[:1])
        if spec.levels_up is not None and self.flow.trigger.on in ("schedule", "date", "webhook"):
            self.add(f"{path}.department_head", "no_submitter", "定时、日期和 Webhook 触发的流程没有发起人，部门负责人为空",
                     "scheduled, date and webhook flows have no submitter, so no department head")


__all__ = ["DATE_TYPES", "DEPARTMENT_TYPES", "USER_TYPES", "FlowChecker"]
