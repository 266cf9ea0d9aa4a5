"""Checks of report definitions that need the rest of the app: forms, fields, widget shapes, expressions.
Every issue carries its JSON path (`reports[0].widgets[2].measures[1].field`), as form issues do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.errors import Issue
from engine.expr.errors import ExpressionError
from engine.expr.nodes import BOOL
from engine.expr.typecheck import check
from engine.forms.encryption import widget_encryption_issues
from engine.forms.system_fields import SYSTEM_FIELDS, TIME_FIELDS
from engine.keys import repeated
from engine.reports.compile import plan_widget, related_filter_field, widget_plan_issues
from engine.reports.grain import widget_scope
from engine.reports.model import ReportDefinition, Widget
from engine.reports.widgets import widget_types

if TYPE_CHECKING:
    from engine.app import AppDefinition


def widget_issues(widget: Widget, app: AppDefinition, path: str) -> list[Issue]:
    if widget.type not in widget_types:
        valid = ", ".join(widget_types.keys())
        return [Issue(f"{path}.type", "unknown_type", f"没有图表类型 {widget.type}（可用：{valid}）",
                      f"unknown widget type {widget.type!r}; valid: {valid}")]
    if widget.form not in app.forms_by_key:
        return [Issue(f"{path}.form", "unknown_form", f"表单 {widget.form} 不存在", f"no form {widget.form!r}")]
    form = app.form(widget.form)
    issues: list[Issue] = []
    planned = widget_plan_issues(widget, app, path) + widget_encryption_issues(widget, app, path)
    if planned:
        return planned
    dims, measures = plan_widget(widget, app, path)
    if repeated([m.key for m in measures] + [d.key for d in dims]):
        issues.append(Issue(f"{path}.measures", "duplicate_key", "列名重复，请给指标设置不同的 key",
                            "two columns share a key: give the measures distinct keys"))
    issues += [Issue(f"{path}.{i.path}", i.code, i.message, i.message_en)
               for i in widget_types.get(widget.type).check(widget, dims, measures)]
    if widget.filter:
        try:
            check(widget.filter, widget_scope(widget, app), expect=BOOL)
        except ExpressionError as e:
            issues.append(Issue(f"{path}.filter", "invalid_expression", e.message, e.message_en))
    for i, step in enumerate(widget.steps or []):
        if step.filter:
            try:
                check(step.filter, widget_scope(widget, app), expect=BOOL)
            except ExpressionError as e:
                issues.append(Issue(f"{path}.steps[{i}].filter", "invalid_expression", e.message, e.message_en))
    for setting in ("subtotals", "totals"):
        if getattr(widget, setting) is False and widget.type != "table":
            issues.append(Issue(f"{path}.{setting}", "not_a_table", f"只有表格可以关闭{'小计' if setting == 'subtotals' else '合计'}",
                                f"only a table reads `{setting}`"))
    if widget.period is not None:
        period = widget.period.field
        kind = "datetime" if period in TIME_FIELDS else \
            form.by_key[period].expression_type() if period in form.by_key else None
        if kind not in ("date", "datetime"):
            issues.append(Issue(f"{path}.period.field", "not_a_date", f"统计周期字段 {period} 不是日期字段",
                                f"period field {period!r} is not a date field of {form.key!r}"))
    if widget.sort:
        known = {m.key for m in measures} | {d.key for d in dims} | ({"conversion"} if widget.type == "funnel" else set())
        for part in widget.sort.split(","):
            if part.strip().removeprefix("-") not in known:
                issues.append(Issue(f"{path}.sort", "unknown_column", f"排序列 {part.strip()} 不存在",
                                    f"sort names no column: {part.strip()!r}"))
    return issues


def report_issues(app: AppDefinition) -> list[Issue]:
    """Every problem of the app's reports, each at its JSON path."""
    issues = [Issue(f"reports[{i}].key", "duplicate_key", f"报表 {app.reports[i].key} 重复",
                    f"duplicate report key {app.reports[i].key!r}") for i in repeated([r.key for r in app.reports])]
    for i, report in enumerate(app.reports):
        issues += _report_issues(report, app, f"reports[{i}]")
    return issues


def _report_issues(report: ReportDefinition, app: AppDefinition, path: str) -> list[Issue]:
    issues = [Issue(f"{path}.widgets[{j}].key", "duplicate_key", f"图表 {report.widgets[j].key} 重复",
                    f"duplicate widget key {report.widgets[j].key!r}") for j in repeated([w.key for w in report.widgets])]
    for j, f in enumerate(report.filters):
        if not any(_filters_form(app, w.form, f.field) for w in report.widgets if w.form in app.forms_by_key):
            issues.append(Issue(f"{path}.filters[{j}].field", "unknown_field", f"没有图表的表单有字段 {f.field}",
                                f"no widget's form has the field {f.field!r}"))
        issues += _filter_target_issues(report, app, j, f"{path}.filters[{j}]")
    issues += [Issue(f"{path}.roles[{j}]", "unknown_role", f"角色 {role} 不存在", f"no role {role!r}")
               for j, role in enumerate(report.roles) if role not in app.roles_by_key]
    issues += _overlap_issues(report, path)
    for j, widget in enumerate(report.widgets):
        issues += widget_issues(widget, app, f"{path}.widgets[{j}]")
    return issues


def _filters_form(app: AppDefinition, form: str, key: str) -> bool:
    """Whether a dashboard filter on `key` applies to the form: its field, a record column, or a field of a
    related form (`customer.region`)."""
    if "." in key:
        return related_filter_field(app, form, key) is not None
    return key in app.form(form).by_key or key in SYSTEM_FIELDS


def _filter_target_issues(report: ReportDefinition, app: AppDefinition, j: int, path: str) -> list[Issue]:
    """A filter's `widgets` name widgets of the report whose form has the filtered field."""
    f = report.filters[j]
    issues = []
    for k, key in enumerate(f.widgets or []):
        widget = report.widget(key)
        if widget is None:
            issues.append(Issue(f"{path}.widgets[{k}]", "unknown_widget", f"报表没有图表 {key}",
                                f"the report has no widget {key!r}"))
        elif widget.form in app.forms_by_key and not _filters_form(app, widget.form, f.field):
            issues.append(Issue(f"{path}.widgets[{k}]", "unknown_field", f"图表 {key} 的表单没有字段 {f.field}",
                                f"the form of widget {key!r} has no field {f.field!r}"))
    return issues


def _overlap_issues(report: ReportDefinition, path: str) -> list[Issue]:
    """Two placed widgets may not share a cell of the grid."""
    placed = [(j, w) for j, w in enumerate(report.widgets) if w.layout is not None]
    return [Issue(f"{path}.widgets[{j}].layout", "overlap", f"图表 {w.key} 与 {v.key} 的位置重叠",
                  f"widget {w.key!r} overlaps {v.key!r} on the grid")
            for n, (j, w) in enumerate(placed) for _, v in placed[:n]
            if w.layout is not None and v.layout is not None and w.layout.overlaps(v.layout)]


__all__ = ["report_issues", "widget_issues"]
