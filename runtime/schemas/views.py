"""Request and response shapes of saved list views and column layouts."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Row


class FilterSpec(BaseModel):
    """One list condition, as in `filter[field][op]=value`."""

    model_config = ConfigDict(extra="forbid")
    field: str
    op: str = "eq"
    value: Any = None


class ViewSpec(BaseModel):
    """What a saved view restores: columns, sort, conditions, an expression filter and a search."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(default_factory=list, max_length=200)
    sort: str | None = None
    filters: list[FilterSpec] = Field(default_factory=list, max_length=50)
    expression: str | None = Field(default=None, max_length=2000)
    search: str | None = Field(default=None, max_length=200)


class ViewIn(BaseModel):
    """`{"name": "A类客户", "spec": {...}}`."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    spec: ViewSpec = Field(default_factory=ViewSpec)


class LayoutIn(BaseModel):
    """`{"columns": ["name", "region", ...]}` — the list's columns in the user's order."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(max_length=200)


def view_json(row: Row[Any]) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "spec": row.spec,
            "updated_at": row.updated_at.isoformat().replace("+00:00", "Z")}
