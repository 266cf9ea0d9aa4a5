"""action: update the record, create one in another form, call a webhook, notify, assign an owner, open a
to-do. Values are expressions evaluated on the record now; the runtime carries the effect out."""

from __future__ import annotations

from typing import Any

from engine.flows import effects as fx
from engine.flows.approvers import department_members, resolve
from engine.flows.model import AssignAction, AssignRule
from engine.flows.run import Run, plain
from engine.flows.steps import notify


def _values(run: Run, expressions: dict[str, str]) -> dict[str, Any]:
    return {key: plain(run.evaluate(text)) for key, text in expressions.items()}


def candidates(run: Run, rule: AssignRule) -> list[str]:
    """The people one row of a rule table names."""
    found = list(rule.users or [])
    if rule.role:
        found.extend(sorted(run.ctx.org.role_members(rule.role)))
    if rule.department:
        found.extend(department_members(run.ctx.org, rule.department))
    return list(dict.fromkeys(found))


def _assign(run: Run, path: str, step: AssignAction) -> None:
    for i, rule in enumerate(step.rules):
        if rule.when is None or run.holds(rule.when):
            users = candidates(run, rule)
            if not users:
                continue  # a rule naming nobody (an empty department) falls through to the next
            due = run.after(step.task.due, step.task.business) if step.task and step.task.due else None
            run.emit(fx.Assign(step.field, step.strategy, tuple(users), path, step.open_when,
                               step.task.name if step.task else None, due))
            run.log("assigning", f"按规则 {i + 1} 在 {len(users)} 人中分配", f"assigning by rule {i + 1} among "
                    f"{len(users)} people", step=path, rule=i, users=users)
            return
    run.log("assigning", "没有适用的分配规则", "no assignment rule applies", step=path)


def enter(run: Run, path: str, step: Any) -> bool:
    kind = step.action
    if kind == "update_record":
        values = _values(run, step.set)
        run.emit(fx.UpdateRecord(values, path))
        run.log("updated", f"更新记录：{', '.join(values)}", f"updated {', '.join(values)}", step=path, values=values)
    elif kind == "create_record":
        values = _values(run, step.values)
        run.emit(fx.CreateRecord(step.form, values, path))
        run.log("created", f"在“{step.form}”中新建记录", f"creating a {step.form} record", step=path)
    elif kind == "webhook":
        run.emit(fx.CallWebhook(step.url, _values(run, step.body), path, step.secret, step.attempts))
        run.log("webhook", f"调用 {step.url}", f"calling {step.url}", step=path)
    elif kind == "notify":
        notify.message(run, path, step)
    elif kind == "assign":
        _assign(run, path, step)
    elif kind == "task":
        users = tuple(resolve(step.to, run.ctx.org, run.state.submitter, run.record))
        due = run.after(step.task.due, step.task.business) if step.task.due else None
        run.emit(fx.OpenTodo(users, run.render(step.task.name), path, due))
        run.log("todo", f"为 {'、'.join(users) or '（无人）'} 创建待办", f"to-do for {', '.join(users) or 'nobody'}",
                step=path)
    return True
