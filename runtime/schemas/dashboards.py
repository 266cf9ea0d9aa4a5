"""Request shapes of the dashboard editor (runtime/api/dashboard_designer.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewReportIn(_In):
    """A new, empty dashboard (widgets come from the chart builder, or a copy)."""

    key: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)


class RenameIn(_In):
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)


class CopyIn(_In):
    """A copy under `key`; `name` defaults to the original's with （副本）."""

    key: str = Field(min_length=1, max_length=64)
    name: str | None = Field(default=None, max_length=200)


class PdfIn(_In):
    """The chart images the dashboard page drew (ECharts' PNG data URLs), by widget key."""

    images: dict[str, str] = Field(default_factory=dict, max_length=64)
