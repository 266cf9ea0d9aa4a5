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
    from engine.forms.model import FormDefinition

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
    issues += _lookup_issues(app, hook, form, where)
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


def _lookup_issues(app: AppDefinition, hook: InboundHook, form: FormDefinition, where: str) -> list[Issue]:
    """Each lookup: a mapped single relation, a `by` field of its form that equality can filter on, and the
    fields and expressions of `create` on that form."""
    issues: list[Issue] = []
    for key, lookup in hook.lookups.items():
        path = f"{where}.lookups.{key}"
        mapped, _, column = key.partition(".")
        field = form.by_key.get(mapped)
        if column and field is not None and field.type == "sub_table":
            field = next((c for c in getattr(field, "fields", []) if c.key == column), None)
            if lookup.create is not None:  # `create` reads `payload`, not the row: it could not name the row's record
                issues.append(Issue(f"{path}.create", "not_applicable", "明细行的查找不能新建记录",
                                    "a lookup in sub-table rows cannot create records"))
        elif column:
            field = None
        if field is None or field.type != "relation" or getattr(field, "multiple", False):
            issues.append(Issue(path, "not_a_relation", f"{key} 不是单选关联字段，不能按字段查找记录",
                                f"{key!r} is not a single relation field: nothing to look up"))
            continue
        if mapped not in hook.mapping:
            issues.append(Issue(path, "not_mapped", f"关联字段 {mapped} 没有映射取值", f"relation {mapped!r} is not mapped"))
        target = app.forms_by_key.get(getattr(field, "target", ""))
        if target is None:
            continue
        by = target.by_key.get(lookup.by)
        if by is None:
            issues.append(Issue(f"{path}.by", "unknown_field", f"表单“{target.name}”没有字段 {lookup.by}",
                                f"form {target.key!r} has no field {lookup.by!r}"))
        elif "eq" not in by.filter_ops:
            issues.append(Issue(f"{path}.by", "not_filterable", f"字段 {lookup.by}（{by.type}）不能按“等于”查找",
                                f"field {lookup.by!r} ({by.type}) cannot be looked up by equality"))
        for made, text in (lookup.create or {}).items():
            made_path = f"{path}.create.{made}"
            made_field = target.by_key.get(made)
            if made_field is None:
                issues.append(Issue(made_path, "unknown_field", f"表单“{target.name}”没有字段 {made}",
                                    f"form {target.key!r} has no field {made!r}"))
            elif made_field.computed:
                issues.append(Issue(made_path, "not_writable", f"字段 {made} 是计算字段，不能赋值",
                                    f"field {made!r} is computed"))
            try:
                check_expression(text, target)
            except ExpressionError as e:
                issues.append(Issue(made_path, e.code, e.message, e.message_en))
    return issues


__all__ = ["STARTABLE", "hook_issues", "one_hook_issues"]
