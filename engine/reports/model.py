"""ReportDefinition: a dashboard of widgets over one form each, parsed once at the border.

The key names are the public format (DESIGN.md, "Definition format"): a report is
`{"key", "name", "filters": [{"field"}], "widgets": [...]}` and a widget
`{"key", "type", "form", "dimensions": [{"field", "bucket"}], "measures": [...], "filter", "sort", "limit", "target"}`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.keys import Key
from engine.model_words import Refusal

Bucket = Literal["day", "week", "month", "quarter", "year"]
Agg = Literal["count", "count_distinct", "sum", "avg", "min", "max"]
Compare = Literal["previous", "last_year"]


class Dimension(BaseModel):
    """Group by a field (or a system column such as owner or created_at); dates by a bucket."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    bucket: Bucket | None = None
    label: str | None = None


class Measure(BaseModel):
    """An aggregate of a field (`{"agg": "sum", "field": "amount"}`), or a calculated measure written in
    the expression language over aggregates (`{"expr": "COUNTIF(stage = \\"赢单\\") / COUNT()", "label": "赢率"}`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    agg: Agg | None = None
    field: str | None = None
    expr: str | None = None
    key: Key | None = None
    label: str | None = None
    label_en: str | None = None
    format: Literal["number", "percent", "money", "count", "days"] | None = None
    """How the value is shown (engine/reports/formats.py): `percent` 0.57 as 57.0 %, `money` as ¥1,234.50,
    `count` as an integer, `days` as 12.5 天. Without it: the field's unit (money, percent), `count` for counts."""
    decimals: int | None = Field(default=None, ge=0, le=6)
    """Decimal places shown (default: 1 for percent, 2 for money, up to 4 for a number)."""

    @model_validator(mode="after")
    def _one_kind(self) -> Measure:
        if (self.agg is None) == (self.expr is None):
            raise Refusal("指标要么是 agg（及 field），要么是 expr", "a measure has either agg (with field) or expr")
        if self.agg not in (None, "count") and self.field is None:
            raise Refusal(f"汇总方式 {self.agg!r} 需要 field（汇总哪个字段）", f"agg {self.agg!r} needs a field")
        if self.expr is not None and self.field is not None:
            raise Refusal("计算指标的字段写在 expr 里，不另填 field", "a calculated measure names its fields inside expr")
        return self

    @property
    def column_key(self) -> str:
        """The measure's column key in results and sorts: `key`, else `count`, `sum_amount`, `expr_<i>`."""
        if self.key:
            return self.key
        if self.agg == "count" and self.field is None:
            return "count"
        return f"{self.agg}_{self.field}" if self.agg else "expr"


class Period(BaseModel):
    """A widget's time frame (统计周期): the current `bucket` (month, quarter …) of a date field. A KPI compares it
    with the previous one (环比) and the same one a year earlier (同比); a bar, line or table counts only its rows
    and compares them as its `compare` says."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    bucket: Bucket = "month"


GRID_COLUMNS = 12
"""The dashboard grid's width in columns: a widget's `layout` places it on this grid."""


class GridLayout(BaseModel):
    """Where a widget sits on the dashboard grid: column `x` and row `y` of its top-left cell (from 0),
    `w` columns wide and `h` rows high (a row is one fixed height)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    x: int = Field(ge=0, lt=GRID_COLUMNS)
    y: int = Field(ge=0, le=1000)
    w: int = Field(ge=1, le=GRID_COLUMNS)
    h: int = Field(ge=1, le=24)

    @model_validator(mode="after")
    def _inside(self) -> GridLayout:
        if self.x + self.w > GRID_COLUMNS:
            raise Refusal(f"x + w 不能超过 {GRID_COLUMNS}（栅格的列数）", f"x + w must be at most {GRID_COLUMNS} (the grid's columns)")
        return self

    def overlaps(self, other: GridLayout) -> bool:
        """Whether the two boxes share a cell."""
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)


class FunnelStep(BaseModel):
    """A funnel stage as a condition on the form's rows (线索 → 已转化 → 赢单), for funnels whose stages are
    not the options of one field: each step counts the rows where its `filter` holds (every row without one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    label_en: str | None = None
    filter: str | None = None


class Widget(BaseModel):
    """One chart or table over one form."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Key
    type: str
    form: Key
    name: str | None = None
    name_en: str | None = None
    dimensions: list[Dimension] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    filter: str | None = None
    sort: str | None = None
    """Column keys, comma separated, `-` for descending: `-sum_amount`, `owner`."""
    limit: int | None = Field(default=None, ge=1, le=10000)
    """Top-N groups after sorting; the rest are summed into one "其他" row unless `others` is false."""
    others: bool = True
    target: Decimal | None = None
    """KPI: the goal the value is measured against (completion = value / target)."""
    period: Period | None = None
    compare: list[Compare] = Field(default_factory=list, max_length=2)
    """Bar, line, table with a `period`: the periods each measure is also computed for, each as two more columns —
    `previous` (上期 and 环比) and `last_year` (去年同期 and 同比)."""
    stages: list[str] | None = None
    """Funnel: the stages in order (default: every option of the select field, in option order)."""
    steps: list[FunnelStep] | None = Field(default=None, min_length=2, max_length=12)
    """Funnel without a dimension: the stages as conditions, in order (see FunnelStep)."""
    subtotals: bool = True
    """Table: a 小计 row per value of the first dimension (when it has two or more dimensions); false: none."""
    totals: bool = True
    """Table: the 合计 row over every group; false: the result's `totals` are left empty."""
    stack: bool = False
    """Bar: stack the second dimension instead of grouping it side by side (a display hint)."""
    layout: GridLayout | None = None
    """Its place on the dashboard grid (the dashboard editor's); without one, it follows the placed ones."""


class ReportFilter(BaseModel):
    """A dashboard-level filter: its value arrives as a query parameter named by the field key."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    field: str
    label: str | None = None
    widgets: list[Key] | None = None
    """The keys of the widgets it filters; absent: every widget whose form has the field."""


class ReportDefinition(BaseModel):
    """A dashboard: filters that apply to every widget whose form has the field, and the widgets."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    key: Key
    name: str
    name_en: str | None = None
    description: str | None = None
    filters: list[ReportFilter] = Field(default_factory=list)
    widgets: list[Widget] = Field(default_factory=list)
    roles: list[Key] = Field(default_factory=list)
    """Who may see the dashboard: role keys of the app; empty: everyone who may open the app."""

    def widget(self, key: str) -> Widget | None:
        return next((w for w in self.widgets if w.key == key), None)

    def filters_for(self, widget: str, values: dict[str, str]) -> dict[str, str]:
        """The filter values that apply to one widget: those of filters naming it, or naming no widgets."""
        applying = {f.field for f in self.filters if f.widgets is None or widget in f.widgets}
        return {k: v for k, v in values.items() if k in applying}

__all__ = ["ReportDefinition", "Widget", "GridLayout", "GRID_COLUMNS", "FunnelStep", "Dimension", "Measure", "Period",
           "ReportFilter", "Bucket", "Agg", "Compare"]
