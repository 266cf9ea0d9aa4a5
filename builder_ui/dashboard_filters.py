"""A dashboard's filter controls: which input each declared filter gets, from the type of the field it
filters, and its value from the page's query string — which is the reports API's own
(`?region=华东&signed_on=2026-01-01..2026-03-31`), so the page's URL can be shared and reloaded.

| field | control |
| --- | --- |
| date, datetime, `created_at`, `updated_at` | a from..to pair of date inputs |
| select, multi_select | a select of its options |
| user, `owner`, `created_by`, `updated_by` | a select of the active users |
| department, `department` | a select of the departments |
| anything else | a text input |

A value the control cannot show as one choice (`华东,华南` from a hand-written link, or one that is no
option at all) is kept as an extra choice, so the page still asks the API for exactly what the URL
says and shows the API's answer (an error naming the filter, if it is wrong)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection

from builder_ui.cells import option_values
from engine.app import AppDefinition
from engine.forms.fields import FieldType
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.reports.compile import related_filter_field
from engine.reports.model import ReportDefinition, ReportFilter
from runtime.accounts.directory import active_users, department_choices

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATES = ("date", "datetime")
_SYSTEM_KINDS = {key: "date" if f.is_time else f.kind for key, f in SYSTEM_FIELDS.items() if f.kind != "number"}


@dataclass
class FilterControl:
    """One control of the filter bar: `kind` is date, choice or text."""

    key: str
    label: str
    kind: str
    value: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)

    @property
    def start(self) -> str:
        """The from side of a date range, when it is a day an input of type date can hold."""
        return self._side(0)

    @property
    def end(self) -> str:
        return self._side(1)

    def _side(self, index: int) -> str:
        parts = self.value.split("..") if ".." in self.value else [self.value, self.value]
        day = parts[index].strip() if len(parts) == 2 else ""
        return day if _DATE.fullmatch(day) else ""


def _field(app: AppDefinition, forms: list[str], key: str) -> FieldType | None:
    """The filtered field: the first of the dashboard's forms (readable to the viewer) that has it (a
    related form's field, `customer.region`, through one of its single relations)."""
    for form in forms:
        found = related_filter_field(app, form, key) if "." in key else app.form(form).by_key.get(key)
        if found is not None:
            return found
    return None


def _label(declared: ReportFilter, found: FieldType | None, lang: str, t: Callable[..., str]) -> str:
    """The report's label for the filter; in English the field's English label (or the system word) first."""
    english = (found.label_en if found is not None else t(declared.field)) if lang == "en" else None
    return english or declared.label or (found.label if found is not None else t(declared.field))


def filter_controls(conn: Connection, app: AppDefinition, report: ReportDefinition, forms: Mapping[str, set[str]],
                    query: Mapping[str, str], lang: str, t: Callable[..., str]) -> list[FilterControl]:
    """The controls of the report's filters; `forms` maps each form the viewer may read to the keys hidden
    from them (a filter on a field hidden everywhere gets no control: the API would refuse its value)."""
    controls = []
    users: list[tuple[str, str]] | None = None
    for declared in report.filters:
        key = declared.field
        found = _field(app, [f for f, hidden in forms.items() if key.split(".")[0] not in hidden], key)
        if found is None and key not in _SYSTEM_KINDS:
            continue
        kind = found.type if found is not None else _SYSTEM_KINDS[key]
        control = FilterControl(key, _label(declared, found, lang, t), "text", query.get(key, ""))
        if kind in _DATES:
            control.kind = "date"
        elif kind in ("select", "multi_select") and found is not None:
            control.kind, control.choices = "choice", option_values(found)
        elif kind == "user":
            users = active_users(conn) if users is None else users
            control.kind, control.choices = "choice", list(users)
        elif kind == "department":
            control.kind, control.choices = "choice", department_choices(conn)
        if control.kind == "choice" and control.value and control.value not in {v for v, _ in control.choices}:
            control.choices.append((control.value, control.value))
        controls.append(control)
    return controls


__all__ = ["FilterControl", "filter_controls"]
