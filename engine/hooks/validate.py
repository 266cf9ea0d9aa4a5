"""Checking an app's inbound hooks against its forms and flows: every issue at a path like
`hooks[0].mapping.amount`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.hooks.mapping import check_expression
from engine.hooks.model import InboundHook
from engine.keys import repeated

if TYPE_CHECKING:
    from engine.app import AppDefinition

STARTABLE = ("submit", "button", "webhook")
"""Flow triggers a hook may start by hand: a create or update trigger starts by itself when the hook writes."""


def hook_issues(app: AppDefinition) -> list[Issue]:
    """Every problem of the app's inbound hooks."""
    issues = [Issue(f"hooks[{i}].key", "duplicate_key", f"接收接口 {app.hooks[i].key} 重复",
                    f"duplicate hook key {app.hooks[i].key!r}") for i in repeated([h.key for h in app.hooks])]
    webhook_flows = {f.key for f in app.flows if f.trigger.on == "webhook"}
    for i, hook in enumerate(app.hooks):
        if hook.key in webhook_flows:  # both would answer POST /api/v1/hooks/{app}/{key}
            issues.append(Issue(f"hooks[{i}].key", "duplicate_key", f"接收接口 {hook.key} 与 Webhook 流程同名，地址会冲突",
                                f"hook {hook.key!r} has the URL of the webhook flow of that key"))
        issues.extend(one_hook_issues(app, hook, f"hooks[{i}]"))
    return issues


def one_hook_issues(app: AppDefinition, hook: InboundHook, where: str) -> list[Issue]:
    """One hook's problems: its form, each mapped field and expression, the upsert key and the flow."""
    form = app.forms_by_key.get(hook.form)
    if form is None:
        return [Issue(f"{where}.form", "unknown_form", f"表单 {hook.form} 不存在", f"no form {hook.form!r}")]
    issues: list[Issue] = []
    for key, text in hook.mapping.items():
        path = f"{where}.mapping.{key}"
        field = form.by_key.get(key)
        if field is None:
            issues.append(Issue(path, "unknown_field", f"表单“{form.name}”没有字段 {key}",
                                f"form {form.key!r} has no field {key!r}"))
        elif field.computed:
            issues.append(Issue(path, "not_writable", f"字段 {key} 是计算字段，不能赋值", f"field {key!r} is computed"))
        try:
            check_expression(text, form)
        except ExpressionError as e:
            issues.append(Issue(path, e.code, e.message, e.message_en))
    if hook.mode == "upsert":
        for j, key in enumerate(hook.upsert_key):
            if key not in form.by_key:
                issues.append(Issue(f"{where}.upsert_key[{j}]", "unknown_field", f"表单“{form.name}”没有字段 {key}",
                                    f"form {form.key!r} has no field {key!r}"))
            elif key not in hook.mapping:
                issues.append(Issue(f"{where}.upsert_key[{j}]", "not_mapped", f"查找字段 {key} 没有映射取值",
                                    f"upsert key {key!r} is not mapped, so it could never match"))
    if hook.mode == "flow":
        flow = next((f for f in app.flows if f.key == hook.flow), None)
        if flow is None:
            issues.append(Issue(f"{where}.flow", "unknown_flow", f"流程 {hook.flow} 不存在", f"no flow {hook.flow!r}"))
        elif flow.form != hook.form:
            issues.append(Issue(f"{where}.flow", "wrong_form", f"流程 {flow.key} 属于表单 {flow.form}，不是 {hook.form}",
                                f"flow {flow.key!r} runs on form {flow.form!r}, not {hook.form!r}"))
        elif flow.trigger.on not in STARTABLE:
            issues.append(Issue(f"{where}.flow", "not_startable",
                                f"流程 {flow.key} 由“{flow.trigger.on}”触发，接收接口只能发起提交、按钮或 Webhook 触发的流程",
                                f"flow {flow.key!r} starts on {flow.trigger.on!r}; a hook starts submit, button or "
                                "webhook flows"))
    return issues


__all__ = ["STARTABLE", "hook_issues", "one_hook_issues"]
