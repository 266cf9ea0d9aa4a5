"""The save-time checker a flow's steps report to: issues at JSON paths, with helpers for the checks most
steps need (an expression, a field of a form, a recipients spec)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import Type
from engine.expr.typecheck import Checked
from engine.flows.answers import TEMPLATE, flow_checked, named_steps
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
                   form: FormDefinition | None = None, *, answers: bool = False) -> None:
        """`answers`: a step's expression evaluated by the run, which may read earlier HTTP answers
        (`http.<step key>…`, engine/flows/answers.py); never one compiled to SQL."""
        form = form or self.form
        if text is None or form is None:
            return
        try:
            found = flow_checked(form, text, expect) if answers else checked(form, text, expect)
        except ExpressionError as e:
            self.add(path, e.code, e.message, e.message_en or e.message)
            return
        if answers:
            for key in named_steps(found):
                if key not in self.http_steps:
                    self.add(path, "unknown_step", f"没有键为 {key} 的 HTTP 请求步骤：应写 http.<步骤键>.body.…",
                             f"no HTTP step with key {key!r}: write http.<step key>.body.…")
        if form is self.form:
            self.read.append(found)

    @property
    def http_steps(self) -> set[str]:
        """The keys of the flow's HTTP 请求 steps: the answers its steps may read."""
        from engine.flows.tree import walk_steps

        return {s.key for _, s in walk_steps(self.flow.steps) if getattr(s, "action", None) == "http_request" and s.key}

    def template(self, text: str | None, path: str | None = None) -> None:
        """A text the flow fills in from the record (`{customer.name}`) and earlier answers
        (`{http.<step>.body.…}`): an answer of no HTTP step is reported at `path`, the rest only noted."""
        if text:
            self.templates.append(text)
            for name in TEMPLATE.findall(text):
                key = name.split(".")[1]
                if path and key not in self.http_steps:
                    self.add(path, "unknown_step", f"没有键为 {key} 的 HTTP 请求步骤：{{{name}}}",
                             f"no HTTP step with key {key!r}: {{{name}}}")

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
