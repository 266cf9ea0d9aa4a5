"""AppDefinition: one app = forms + flows + reports + roles. The model only: engine/app_check.py validates it
(the validators read this model, so it imports none of them)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import NotFound
from engine.flows.calendar import BusinessCalendar
from engine.flows.model import FlowDefinition
from engine.forms.dependencies import DerivedGraph, derived_graph
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition
from engine.hooks.model import InboundHook
from engine.keys import Key
from engine.permissions.model import RoleDefinition
from engine.reports.model import ReportDefinition

FORMAT: Final = "tangram/app@1"


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
    hooks: list[InboundHook] = Field(default_factory=list)
    """接收接口: where other systems push JSON into the app (engine/hooks)."""
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

    def hook(self, key: str) -> InboundHook:
        """The inbound hook with this key, or NotFound."""
        for hook in self.hooks:
            if hook.key == key:
                return hook
        raise NotFound(f"应用“{self.name}”没有接收接口 {key}", f"app {self.key!r} has no hook {key!r}")

    def report(self, key: str) -> ReportDefinition:
        """The report with this key, or NotFound."""
        for report in self.reports:
            if report.key == key:
                return report
        raise NotFound(f"应用“{self.name}”没有报表 {key}", f"app {self.key!r} has no report {key!r}")

    def dump(self) -> dict[str, Any]:
        """The definition as JSON data, in the published format."""
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True) | {"format": FORMAT, "key": self.key}


__all__ = ["AppDefinition", "FORMAT"]
