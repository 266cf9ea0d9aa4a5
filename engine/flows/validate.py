"""Save-time checks of an app's flows, each issue at its JSON path: unknown forms and fields, conditions
without a default, unreachable branches, approver rules that can resolve to nobody, broken expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL
from engine.flows.checker import DATE_TYPES, FlowChecker
from engine.flows.cron import Cron
from engine.flows.tree import walk_steps
from engine.forms.expressions import checked
from engine.keys import repeated
from engine.model_words import said

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.flows.model import FlowDefinition


def _check_trigger(c: FlowChecker) -> None:
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
    if t.on == "button" and t.label is None:
        c.add("trigger.label", "required", f"流程“{c.flow.name}”的按钮触发需要按钮文字（label）",
              f'flow {c.flow.key!r}: "on": "button" needs a "label"')
    if t.label is not None and t.on != "button":
        c.add("trigger.label", "not_applicable", '"label" 只用于 "on": "button"', '"label" is for "on": "button" only')
    if not t.each_record and t.on != "schedule":
        c.add("trigger.each_record", "not_applicable", '"each_record" 只用于 "on": "schedule"',
              '"each_record" is for "on": "schedule" only')
    if t.cron is not None:
        try:
            Cron.parse(t.cron)
        except ValueError as e:
            zh, en = said(e)
            c.add("trigger.cron", "invalid_cron", f"定时表达式无效：{zh}", en)
    if t.field is not None:
        c.field("trigger.field", t.field, DATE_TYPES)


def flow_issues(app: AppDefinition) -> list[Issue]:
    """Every problem of the app's flows, at paths like `flows[1].steps[2].approvers.role`."""
    issues = [Issue(f"flows[{i}].key", "duplicate_key", f"流程 {app.flows[i].key} 重复",
                    f"duplicate flow key {app.flows[i].key!r}") for i in repeated([f.key for f in app.flows])]
    for i, flow in enumerate(app.flows):
        issues.extend(check_flow(app, flow, f"flows[{i}]").issues)
    return issues


def check_flow(app: AppDefinition, flow: FlowDefinition, where: str) -> FlowChecker:
    """One flow checked: its issues at paths under `where`, and what its expressions and templates read."""
    c = FlowChecker(app, flow, where)
    if c.form is None:
        c.add("form", "unknown_form", f"表单 {flow.form} 不存在", f"no form {flow.form!r}")
        return c
    _check_trigger(c)
    steps = walk_steps(flow.steps)
    keys = [s.key for _, s in steps if s.key]
    for j in repeated(keys):
        path = next(p for p, s in steps if s.key == keys[j] and p)
        c.add(f"{path}.key", "duplicate_key", f"步骤 {keys[j]} 重复", f"duplicate step key {keys[j]!r}")
    for path, step in steps:
        step.check(c, path)
    for key, text in (flow.on_reject.set.items() if flow.on_reject else ()):
        c.field(f"on_reject.set.{key}", key, writable=True)
        c.expression(f"on_reject.set.{key}", text)
    return c


__all__ = ["check_flow", "flow_issues"]
