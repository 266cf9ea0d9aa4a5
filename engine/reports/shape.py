"""Running a compiled widget and shaping its rows into the one tabular result every chart reads:
`{"key", "type", "columns": [{"key", "label", "role"}], "rows": [[dims…, measures…]], "keys", "totals"}`.

The engine does no I/O: the caller passes `fetch` (runs a Select, returns its rows) and `labels`
(display names of relation ids and users). Leaf values are normalised first (decimals, ints, ISO
dates), so the primary database and the mirror give equal results; sorting, top-N with an "others"
row, totals and subtotals are computed here, from leaves that combine (SUM, COUNT, MIN, MAX) or by
one more query for those that do not (COUNT_DISTINCT)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, not_, or_

from engine.errors import BadQuery
from engine.reports.aggregates import report_aggregates
from engine.reports.compile import WidgetQuery
from engine.reports.dimensions import DimensionPlan, bucket_label
from engine.reports.measures import MeasurePlan
from engine.text_order import sort_key

Fetch = Callable[[Select[Any]], Sequence[Sequence[Any]]]
Labels = Callable[[DimensionPlan, set[Any]], dict[Any, str]]
OTHERS = "其他"


def number(value: Any) -> Decimal | None:
    """A numeric database value as an exact Decimal (SQLite REALs by their shortest repr)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def plain(value: Any, kind: str) -> Any:
    """A value as the result shows it, the same whichever database produced it."""
    if value is None:
        return None
    if kind == "number":
        found = number(value)
        assert found is not None
        return int(found) if found == found.to_integral_value() and abs(found) < 2**53 else found.normalize()
    if kind == "bool":
        return bool(value) if not isinstance(value, str) else value.lower() in ("1", "true", "t")
    if kind == "date":
        return value.isoformat()[:10] if isinstance(value, date) else str(value)[:10]
    if kind in ("datetime", "timestamp"):
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return str(value)
    if kind == "relation":
        return int(value)
    return value


def _dim_kind(plan: DimensionPlan) -> str:
    if plan.bucket:
        return "date"
    return {"select": "text", "user": "text", "department": "text", "cascade": "text", "province": "text"}.get(
        plan.kind, plan.kind)


@dataclass
class Group:
    """One group: its dimension keys and its leaves' values."""

    keys: tuple[Any, ...]
    leaves: list[Any]


class Table:
    """Groups of a compiled widget, with the means to aggregate more of them (totals, others)."""

    def __init__(self, query: WidgetQuery, fetch: Fetch) -> None:
        self.query, self.fetch = query, fetch
        self.kinds = ["number" if report_aggregates.get(leaf.name).arg in ("none", "condition")
                      or leaf.name in ("COUNT_VALUES", "COUNT_DISTINCT", "SUM") or leaf.arg is None
                      else str(leaf.arg.type) for leaf in query.leaves]
        self.combinable = all(report_aggregates.get(leaf.name).combine for leaf in query.leaves)

    def narrowed(self, extra: list[Any]) -> Table:
        """The same widget over the rows that also meet `extra` (a period): a Table of its own."""
        return Table(replace(self.query, where=self.query.where + extra), self.fetch) if extra else self

    def groups(self, dims: list[int] | None = None, extra: list[Any] | None = None) -> list[Group]:
        keep = list(range(len(self.query.dims))) if dims is None else dims
        out = []
        for row in self.fetch(self.query.select(keep, extra)):
            keys = tuple(plain(v, _dim_kind(self.query.dims[i])) for i, v in zip(keep, row[:len(keep)], strict=True))
            out.append(Group(keys, [plain(v, k) for v, k in zip(row[len(keep):], self.kinds, strict=True)]))
        return out

    def combine(self, groups: list[Group]) -> list[Any]:
        values: list[Any] = [None] * len(self.query.leaves)
        for g in groups:
            for i, leaf in enumerate(self.query.leaves):
                combine = report_aggregates.get(leaf.name).combine
                assert combine is not None
                values[i] = combine(values[i], g.leaves[i])
        for i, leaf in enumerate(self.query.leaves):
            if values[i] is None and leaf.name in ("COUNT", "COUNT_VALUES", "COUNTIF"):
                values[i] = 0
        return values

    def rollup(self, groups: list[Group], dims: list[int], extra: list[Any] | None = None) -> list[Group]:
        """The groups merged down to `dims` (a prefix or any subset): in Python when every leaf combines."""
        if not self.combinable or extra:
            return self.groups(dims, extra)
        merged: dict[tuple[Any, ...], list[Group]] = {}
        for g in groups:
            merged.setdefault(tuple(g.keys[i] for i in dims), []).append(g)
        return [Group(k, self.combine(gs)) for k, gs in merged.items()]

    def measures(self, leaves: list[Any]) -> list[Any]:
        q = self.query
        return [m.finish([leaves[i] for i in q.leaf_index[j]], q.ctx) for j, m in enumerate(q.measures)]

    def others(self, kept: list[Group], rest: list[Group]) -> list[Any]:
        """The leaves of every group outside `kept` (the "其他" row)."""
        if self.combinable:
            return self.combine(rest)
        exclude = or_(*[and_(*self.query.point(list(g.keys))) for g in kept]) if kept else None
        found = self.groups([], [not_(exclude)] if exclude is not None else [])
        return found[0].leaves if found else self.combine([])


def _order(plan: DimensionPlan, value: Any) -> tuple[Any, ...]:
    if value is None:
        return (2, 0, "")
    if plan.kind == "select" and value in plan.options:
        return (0, plan.options.index(value), "")
    if isinstance(value, int | Decimal | bool):
        return (1, value, "")
    return (1, 0, sort_key(str(value)))  # text in Chinese order, as lists sort it


def natural_order(plans: list[DimensionPlan], groups: list[Group]) -> list[Group]:
    """Selects in option order, everything else by value (text in Chinese order); blanks last."""
    return sorted(groups, key=lambda g: tuple(_order(p, v) for p, v in zip(plans, g.keys, strict=True)))


def apply_sort(table: Table, groups: list[Group], spec: str | None) -> list[Group]:
    """`-sum_amount,owner`: by measure or dimension columns; otherwise the natural order."""
    q = table.query
    groups = natural_order(q.dims, groups)
    if not spec:
        return groups
    dim_keys = [d.key for d in q.dims]
    measure_keys = [m.key for m in q.measures]
    for part in reversed([p.strip() for p in spec.split(",") if p.strip()]):
        key, descending = part.removeprefix("-"), part.startswith("-")
        if key in dim_keys:
            i = dim_keys.index(key)
            blank = [g for g in groups if g.keys[i] is None]
            present = [g for g in groups if g.keys[i] is not None]
            groups = sorted(present, key=lambda g: _order(q.dims[i], g.keys[i]), reverse=descending) + blank
        elif key in measure_keys:
            j = measure_keys.index(key)
            present = [g for g in groups if table.measures(g.leaves)[j] is not None]
            blank = [g for g in groups if table.measures(g.leaves)[j] is None]
            groups = sorted(present, key=lambda g: table.measures(g.leaves)[j], reverse=descending) + blank
        else:
            raise BadQuery(f"排序列 {key} 不存在（可用：{', '.join(dim_keys + measure_keys)}）",
                           f"unknown sort column {key!r}; use one of {', '.join(dim_keys + measure_keys)}", field="sort")
    return groups


def display(plans: list[DimensionPlan], groups: list[Group], labels: Labels) -> list[list[Any]]:
    """Dimension values as shown: bucket labels, relation titles, user names."""
    names: dict[int, dict[Any, str]] = {}
    for i, plan in enumerate(plans):
        if plan.kind in ("relation", "user", "department"):
            names[i] = labels(plan, {g.keys[i] for g in groups if g.keys[i] is not None})
    out = []
    for g in groups:
        row = []
        for i, plan in enumerate(plans):
            value = g.keys[i]
            if plan.bucket:
                value = bucket_label(value, plan.bucket)
            elif i in names and value is not None:
                value = names[i].get(value, str(value))
            row.append(value)
        out.append(row)
    return out


def columns(plans: list[DimensionPlan], measures: list[MeasurePlan]) -> list[dict[str, Any]]:
    return [{"key": d.key, "label": d.label, "role": "dimension"} for d in plans] + \
           [{"key": m.key, "label": m.label, "role": "measure", **m.shown} for m in measures]


__all__ = ["Table", "Group", "Fetch", "Labels", "plain", "number", "natural_order", "apply_sort", "display", "columns",
           "OTHERS"]
