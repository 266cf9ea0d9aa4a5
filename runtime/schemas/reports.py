"""Request models of the report endpoints."""

from __future__ import annotations

from pydantic import Field

from engine.reports.model import Widget


class QueryIn(Widget):
    """An ad-hoc widget (what the report builder previews), with dashboard-style filter values."""

    key: str = Field(default="preview", pattern=r"^[a-z][a-z0-9_]{0,62}$")
    filters: dict[str, str] = Field(default_factory=dict)

    def widget(self) -> Widget:
        return Widget.model_validate(self.model_dump(exclude={"filters"}))
