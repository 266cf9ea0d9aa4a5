"""AppDefinition: one app = forms + flows + reports + roles. validate_app reports every issue with its path."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import InvalidDefinition, Issue, NotFound
from engine.flows.calendar import BusinessCalendar
from engine.flows.model import FlowDefinition
from engine.flows.validate import flow_issues
from engine.forms.dependencies import DerivedGraph, cycle_issues, derived_graph, formula_order
from engine.forms.encryption import form_encryption_issues, report_filter_issues
from engine.forms.expressions import bind_app, expression_issues, infer_results
from engine.forms.fields import field_types
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition
from engine.keys import SYSTEM_FIELDS, Key, repeated
from engine.permissions.check import role_issues
from engine.permissions.model import RoleDefinition
from engine.reports.model import ReportDefinition

FORMAT = "tangram/app@1"


class AppDefinition(BaseModel):
    """The whole definition of an app, as imported from a template or built in the UI."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["tangram/app@1"] = FORMAT
    key: Key
    name: str
    name_en: str | None = None
    description: str | None = None
    version: str = "1.0.0"
    forms: list[FormDefinition] = Field(default_factory=list)
    flows: list[FlowDefinition] = Field(default_factory=list)
    reports: list[ReportDefinition] = Field(default_factory=list)
    roles: list[RoleDefinition] = Field(default_factory=list)
    calendar: BusinessCalendar | None = None
    """Working days and hours for flow due times (holidays, 调休 workdays)."""

    @cached_property
    def forms_by_key(self) -> dict[str, FormDefinition]:
        return {f.key: f for f in self.forms}

    @cached_property
    def rollups_over(self) -> dict[str, list[tuple[FormDefinition, list[RollupField]]]]:
        """For each form, the forms with rollups over its records and those rollup fields
        (every record write asks this; the definition answers it once)."""
        found: dict[str, list[tuple[FormDefinition, list[RollupField]]]] = {}
        for parent in self.forms:
            by_source: dict[str, list[RollupField]] = {}
            for f in parent.fields:
                if isinstance(f, RollupField):
                    by_source.setdefault(f.source.form, []).append(f)
            for child, rollups in by_source.items():
                found.setdefault(child, []).append((parent, rollups))
        return found

    @cached_property
    def derived(self) -> DerivedGraph:
        """What each derived field reads and who derives from each form's records (engine/forms/dependencies.py)."""
        return derived_graph(self)

    def flow(self, key: str) -> FlowDefinition:
        """The flow with this key, or NotFound."""
        for flow in self.flows:
            if flow.key == key:
                return flow
        raise NotFound(f"应用“{self.name}”没有流程 {key}", f"app {self.key!r} has no flow {key!r}")

    @property
    def role_keys(self) -> set[str]:
        """The keys of the app's roles (what approvers and role members refer to)."""
        return {role.key for role in self.roles}

    @cached_property
    def roles_by_key(self) -> dict[str, RoleDefinition]:
        return {r.key: r for r in self.roles}

    def form(self, key: str) -> FormDefinition:
        """The form with this key, or NotFound."""
        try:
            return self.forms_by_key[key]
        except KeyError:
            raise NotFound(f"应用“{self.name}”没有表单 {key}", f"app {self.key!r} has no form {key!r}") from None

    def report(self, key: str) -> ReportDefinition:
        """The report with this key, or NotFound."""
        for report in self.reports:
            if report.key == key:
                return report
        raise NotFound(f"应用“{self.name}”没有报表 {key}", f"app {self.key!r} has no report {key!r}")

    def dump(self) -> dict[str, Any]:
        """The definition as JSON data, in the published format."""
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True) | {"format": FORMAT, "key": self.key}


def json_path(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic error location as `forms[2].fields[5].options`, walking the input so that
    the discriminator tags pydantic inserts (`…, 5, 'phone', 'options'`) are left out."""
    path = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if isinstance(node, dict) and part not in node and part in (node.get("type"), node.get("action")):
            continue  # a discriminated-union tag, not a key of the input
        if isinstance(part, str) and part.startswith(("function-", "list[", "union[")):
            continue
        path += f".{part}" if path else part
        node = node.get(part) if isinstance(node, dict) else None
    return path or "$"


def _pydantic_issues(error: ValidationError, data: Any) -> list[Issue]:
    issues = []
    for e in error.errors(include_url=False):
        message = e["msg"].removeprefix("Value error, ")
        issues.append(Issue(json_path(e["loc"], data), e["type"], message, message))
    return issues


def _form_issues(i: int, form: FormDefinition, app: AppDefinition) -> list[Issue]:
    where = f"forms[{i}]"
    issues = [Issue(f"{where}.fields[{j}].key", "duplicate_key", f"字段 {form.fields[j].key} 重复",
                    f"duplicate field key {form.fields[j].key!r}") for j in repeated(form.field_keys)]
    for j, field in enumerate(form.fields):
        path = f"{where}.fields[{j}]"
        if field.key in SYSTEM_FIELDS:
            issues.append(Issue(f"{path}.key", "reserved_key", f"{field.key} 是系统字段名",
                                f"{field.key!r} is reserved for a system field"))
        if (field.unique or field.indexed) and not field.is_sortable():
            issues.append(Issue(f"{path}.unique", "not_indexable", f"{field.type} 类型的字段不能设为唯一或索引",
                                f"a {field.type} field cannot be unique or indexed"))
        for issue in field.check(form, app):
            issues.append(Issue(f"{path}.{issue.path}".rstrip("."), issue.code, issue.message, issue.message_en))
    if form.title_field is not None and form.title_field not in form.by_key:
        issues.append(Issue(f"{where}.title_field", "unknown_field", f"标题字段 {form.title_field} 不存在",
                            f"title_field {form.title_field!r} is not a field of the form"))
    for j, key in enumerate(form.search_fields):
        searched = form.by_key.get(key)
        if searched is None:
            issues.append(Issue(f"{where}.search_fields[{j}]", "unknown_field", f"搜索字段 {key} 不存在",
                                f"search field {key!r} is not a field of the form"))
        elif "contains" not in searched.filter_ops:
            issues.append(Issue(f"{where}.search_fields[{j}]", "not_searchable", f"{searched.type} 类型的字段不能搜索",
                                f"a {searched.type} field cannot be searched (text, phone, e-mail, URL and numbers can)"))
    for j, columns in enumerate(form.indexes):
        for k, column in enumerate(columns):
            key = column.removeprefix("-")
            field = form.by_key.get(key)
            if field is None and key not in SYSTEM_FIELDS:
                issues.append(Issue(f"{where}.indexes[{j}][{k}]", "unknown_field", f"索引字段 {key} 不存在",
                                    f"index column {key!r} is not a field of the form"))
            elif field is not None and not field.is_sortable():
                issues.append(Issue(f"{where}.indexes[{j}][{k}]", "not_indexable", f"{field.type} 类型不能建索引",
                                    f"a {field.type} field cannot be indexed"))
    return issues


def check_app(app: AppDefinition) -> list[Issue]:
    """Cross-reference checks that a single model cannot make: duplicate keys, targets, title fields."""
    issues = [Issue(f"forms[{i}].key", "duplicate_key", f"表单 {app.forms[i].key} 重复",
                    f"duplicate form key {app.forms[i].key!r}") for i in repeated([f.key for f in app.forms])]
    infer_results(app)  # before anything reads a formula's type (scopes, storage, lookups of it)
    for i, form in enumerate(app.forms):
        issues.extend(_form_issues(i, form, app))
        bind_app(form, app)
        issues.extend(expression_issues(form, f"forms[{i}]"))
        issues.extend(form_encryption_issues(i, form, app))
    if not issues:  # the graph of derived fields follows sound expressions only
        issues.extend(cycle_issues(app))
        for form in app.forms:
            form.__dict__["_formula_order"] = formula_order(form, app.derived)
    issues.extend(role_issues(app))
    issues.extend(flow_issues(app))
    if not issues:  # reports are checked against sound forms only
        from engine.reports.validate import report_issues  # engine.reports imports this module

        issues.extend(report_issues(app))
        issues.extend(report_filter_issues(app))
    return issues


def validate_app(data: Any) -> list[Issue]:
    """Every issue of a definition, each with its JSON path; an empty list means valid."""
    try:
        app = AppDefinition.model_validate(data)
    except ValidationError as e:
        return _pydantic_issues(e, data)
    return check_app(app)


def parse_app(data: Any) -> AppDefinition:
    """Parse a definition or raise InvalidDefinition listing every issue."""
    try:
        app = AppDefinition.model_validate(data)
    except ValidationError as e:
        issues = _pydantic_issues(e, data)
    else:
        issues = check_app(app)
        if not issues:
            return app
    raise InvalidDefinition(f"应用定义有 {len(issues)} 处错误", f"the definition has {len(issues)} problem(s)",
                            issues=issues)


__all__ = ["AppDefinition", "FORMAT", "parse_app", "validate_app", "json_path", "field_types"]
