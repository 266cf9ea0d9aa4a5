"""Save-time checks of an app's flows, each issue at its JSON path: unknown forms and fields, conditions
without a default, unreachable branches, approver rules that can resolve to nobody, broken expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL, Type
from engine.flows.cron import Cron
from engine.flows.model import FlowDefinition, Recipients, walk_steps
from engine.forms.expressions import checked
from engine.forms.model import FormDefinition
from engine.keys import repeated

if TYPE_CHECKING:
    from engine.app import AppDefinition

_USER_TYPES = ("user", "users")
_DATE_TYPES = ("date", "datetime")


class _Checker:
    def __init__(self, app: AppDefinition, flow: FlowDefinition, where: str) -> None:
        self.app, self.flow, self.where = app, flow, where
        self.form: FormDefinition | None = app.forms_by_key.get(flow.form)
        self.issues: list[Issue] = []

    def add(self, path: str, code: str, message: str, en: str) -> None:
        self.issues.append(Issue(f"{self.where}.{path}", code, message, en))

    def expression(self, path: str, text: str | None, expect: Type | None = None,
                   form: FormDefinition | None = None) -> None:
        form = form or self.form
        if text is None or form is None:
            return
        try:
            checked(form, text, expect)
        except ExpressionError as e:
            self.add(path, e.code, e.message, e.message_en or e.message)

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
                                                            or spec.levels_up is not None):
            self.add(f"{path}.users", "no_approver", "审批人列表为空", "the user list is empty")
        for role in spec.roles:
            if role not in self.app.role_keys:
                self.add(f"{path}.role", "unknown_role", f"角色 {role} 不存在，审批人会为空",
                         f"role {role!r} does not exist, so nobody would be asked")
        if spec.field:
            self.field(f"{path}.field", spec.field, _USER_TYPES)
        if spec.levels_up is not None and self.flow.trigger.on in ("schedule", "date", "webhook"):
            self.add(f"{path}.department_head", "no_submitter", "定时、日期和 Webhook 触发的流程没有发起人，部门负责人为空",
                     "scheduled, date and webhook flows have no submitter, so no department head")


def _check_trigger(c: _Checker) -> None:
    t = c.flow.trigger
    c.expression("trigger.when", t.when, BOOL)
    if t.on == "schedule" and t.when and c.form is not None:
        try:
            where = checked(c.form, t.when, BOOL)
        except ExpressionError:
            where = None
        missing = sorted({why for d in ("sqlite", "postgresql") for why in (where.not_in_sql.get(d, []) if where else [])})
        if missing:
            c.add("trigger.when", "not_in_database", f"定时流程的条件要在数据库中执行，暂不支持：{'、'.join(missing)}",
                  f"a schedule's condition runs in the database, which cannot do {', '.join(missing)} yet")
    for i, key in enumerate(t.fields or []):
        c.field(f"trigger.fields[{i}]", key)
    if t.fields and t.on != "update":
        c.add("trigger.fields", "not_applicable", '"fields" 只用于 "on": "update"', '"fields" is for "on": "update" only')
    if t.cron is not None:
        try:
            Cron.parse(t.cron)
        except ValueError as e:
            c.add("trigger.cron", "invalid_cron", f"定时表达式无效：{e}", str(e))
    if t.field is not None:
        c.field("trigger.field", t.field, _DATE_TYPES)


def _check_step(c: _Checker, path: str, step: Any) -> None:
    kind = step.type if step.type != "action" else step.action
    if step.type == "approval":
        c.recipients(f"{path}.approvers", step.approvers)
        if step.mode == "n_of_m" and step.approvers.users and not (step.approvers.roles or step.approvers.field) \
                and step.required > len(step.approvers.users):
            c.add(f"{path}.required", "no_approver", f"需要 {step.required} 人同意，但只有 {len(step.approvers.users)} 位审批人",
                  f"{step.required} approvals required from {len(step.approvers.users)} approvers")
    elif step.type == "condition":
        defaults = [b for b, branch in enumerate(step.branches) if branch.default]
        if not defaults:
            c.add(f"{path}.branches", "no_default_branch", "条件分支需要一个默认分支 (\"default\": true)",
                  'a condition needs a default branch ("default": true)')
        for b, branch in enumerate(step.branches):
            c.expression(f"{path}.branches[{b}].when", branch.when, BOOL)
            if defaults and b > defaults[0]:
                c.add(f"{path}.branches[{b}]", "unreachable", "默认分支之后的分支永远不会执行",
                      "a branch after the default branch can never run")
            elif branch.when is not None and branch.when.strip().upper() == "FALSE":
                c.add(f"{path}.branches[{b}]", "unreachable", "条件恒为 FALSE，分支永远不会执行",
                      "the condition is always FALSE: the branch can never run")
    elif kind == "update_record":
        for key, text in step.set.items():
            c.field(f"{path}.set.{key}", key, writable=True)
            c.expression(f"{path}.set.{key}", text)
    elif kind == "create_record":
        target = c.app.forms_by_key.get(step.form)
        if target is None:
            c.add(f"{path}.form", "unknown_form", f"表单 {step.form} 不存在", f"no form {step.form!r}")
        for key, text in step.values.items():
            if target is not None:
                c.field(f"{path}.values.{key}", key, writable=True, form=target)
            c.expression(f"{path}.values.{key}", text)
    elif kind == "webhook":
        for key, text in step.body.items():
            c.expression(f"{path}.body.{key}", text)
    elif kind in ("notify", "cc") and step.to is not None:
        c.recipients(f"{path}.to", step.to)
    elif kind == "assign":
        c.field(f"{path}.field", step.field, _USER_TYPES[:1])
        c.expression(f"{path}.open_when", step.open_when, BOOL)
        for i, rule in enumerate(step.rules):
            c.expression(f"{path}.rules[{i}].when", rule.when, BOOL)
            if rule.role and rule.role not in c.app.role_keys:
                c.add(f"{path}.rules[{i}].role", "unknown_role", f"角色 {rule.role} 不存在", f"no role {rule.role!r}")
            if not (rule.users or rule.role or rule.department):
                c.add(f"{path}.rules[{i}]", "no_approver", "规则没有指定人员", "the rule names nobody")
    elif kind == "task":
        c.recipients(f"{path}.to", step.to)
    elif step.type == "wait" and step.until:
        c.field(f"{path}.until", step.until, _DATE_TYPES)


def flow_issues(app: AppDefinition) -> list[Issue]:
    """Every problem of the app's flows, at paths like `flows[1].steps[2].approvers.role`."""
    issues = [Issue(f"flows[{i}].key", "duplicate_key", f"流程 {app.flows[i].key} 重复",
                    f"duplicate flow key {app.flows[i].key!r}") for i in repeated([f.key for f in app.flows])]
    for i, flow in enumerate(app.flows):
        c = _Checker(app, flow, f"flows[{i}]")
        if c.form is None:
            c.add("form", "unknown_form", f"表单 {flow.form} 不存在", f"no form {flow.form!r}")
            issues.extend(c.issues)
            continue
        _check_trigger(c)
        steps = walk_steps(flow.steps)
        keys = [s.key for _, s in steps if s.key]
        for j in repeated(keys):
            path = next(p for p, s in steps if s.key == keys[j] and p)
            c.add(f"{path}.key", "duplicate_key", f"步骤 {keys[j]} 重复", f"duplicate step key {keys[j]!r}")
        for path, step in steps:
            _check_step(c, path, step)
        for key, text in (flow.on_reject.set.items() if flow.on_reject else ()):
            c.field(f"on_reject.set.{key}", key, writable=True)
            c.expression(f"on_reject.set.{key}", text)
        issues.extend(c.issues)
    return issues


__all__ = ["flow_issues"]
