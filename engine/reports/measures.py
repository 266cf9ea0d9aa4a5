"""Measures as plans: the leaf aggregates SQL computes per group, and how Python finishes the value.

`{"agg": "avg", "field": "amount"}` becomes SUM(amount) and COUNT_VALUES(amount), finished as their
exact decimal quotient; a calculated measure `COUNTIF(stage = "赢单") / COUNT()` becomes two leaves and
its outer expression, evaluated in Python over the leaves' values. So division, rounding and IF
mean the same on every database (DuckDB divides decimals inexactly), and totals combine leaves."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from engine.errors import InvalidDefinition, Issue
from engine.expr.errors import ExpressionError
from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.nodes import BOOL, NULL, NUMBER, Binary, Call, FieldRef, InList, Literal, Node, Unary
from engine.expr.parser import parse
from engine.expr.scope import Scope
from engine.expr.typecheck import Checked, check_node
from engine.forms.fields.base import FieldType
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.rollup import RollupField
from engine.forms.model import FormDefinition
from engine.reports.aggregates import report_aggregates
from engine.reports.dimensions import path_label, related_path
from engine.reports.model import Measure

if TYPE_CHECKING:
    from engine.app import AppDefinition

_SIMPLE = {"count": "COUNT", "count_distinct": "COUNT_DISTINCT", "sum": "SUM", "min": "MIN", "max": "MAX"}
_ZH = {"count": "计数", "count_distinct": "去重计数", "sum": "合计", "avg": "平均", "min": "最小", "max": "最大"}


@dataclass(frozen=True)
class Leaf:
    """One aggregate SQL computes per group: `name` over the row expression `arg` (None for COUNT())."""

    name: str
    arg: Checked | None = None

    @property
    def signature(self) -> str:
        return f"{self.name}({self.arg.text if self.arg else ''})"


@dataclass
class MeasurePlan:
    """A measure's leaves and how their values make the measure's value."""

    key: str
    label: str
    leaves: list[Leaf]
    outer: Checked | None = None  # over _a0, _a1 … (calculated measures)
    average: bool = False
    kind: str = "number"  # number | date | datetime | text (min/max keep the field's type)
    places: dict[str, int] = field(default_factory=dict)
    format: str | None = None  # percent | money | number: how the value is shown (engine/reports/formats.py)
    decimals: int | None = None

    @property
    def shown(self) -> dict[str, Any]:
        """The result column's display keys: `format` and `decimals` when the measure has them."""
        out: dict[str, Any] = {"format": self.format} if self.format else {}
        return out | ({"decimals": self.decimals} if self.decimals is not None else {})

    def finish(self, values: list[Any], ctx: EvalContext) -> Any:
        """The measure's value from its leaves' values (decimals, ints, None)."""
        if self.average:
            total, count = values
            return None if not count or total is None else _quotient(Decimal(total), Decimal(count))
        if self.outer is None:
            return values[0]
        names = {f"_a{i}": (Decimal(v) if isinstance(v, int) else v) for i, v in enumerate(values)}
        result = evaluate(self.outer, names, ctx)
        return _quotient(result, Decimal(1)) if isinstance(result, Decimal) else result


def _quotient(a: Decimal, b: Decimal) -> Decimal:
    """a / b to 10 decimal places, trailing zeros dropped: the same digits whichever database summed."""
    value = a / b  # 28 significant digits; quantize with room for the 10 places, as a huge total needs
    value = value.quantize(Decimal("1e-10"), context=Context(prec=max(28, value.adjusted() + 12)))
    return value.normalize() if value != 0 else Decimal(0)


def quotient(a: Any, b: Any) -> Decimal | None:
    """a / b as _quotient, blank when either is blank or b is zero (rates, completion, growth)."""
    numbers = (int, Decimal)
    if not isinstance(a, numbers) or not isinstance(b, numbers) or isinstance(a, bool) or b == 0:
        return None  # blanks, and dates or texts (MIN of a date field): no rate
    return _quotient(Decimal(a), Decimal(b))


def _issue(path: str, code: str, zh: str, en: str) -> InvalidDefinition:
    return InvalidDefinition(zh, en, issues=[Issue(path, code, zh, en)])


def _field_leaf(name: str, key: str, scope: Scope, path: str) -> Leaf:
    node = FieldRef(1, 1, tuple(key.split(".", 2)))  # `customer.annual_revenue`: through a relation (two at most)
    try:
        checked = check_node(node, scope, key)
    except ExpressionError as e:
        raise _issue(path, "unknown_field", e.message, e.message_en or e.message) from None
    agg = report_aggregates.get(name)
    if agg.numeric and checked.type not in (NUMBER, NULL):
        raise _issue(path, "not_numeric", f"字段 {key} 不是数字，不能求和或平均",
                     f"field {key!r} is not a number: it cannot be summed or averaged")
    return Leaf(name, checked)


def field_label(form: FormDefinition, app: AppDefinition | None, key: str) -> str:
    """How a measure's field is named by default: its label, `客户.年收入` through a relation, "" if unknown."""
    path = related_path(form, app, key) if "." in key else None
    if path:
        return path_label(*path)
    field = form.by_key.get(key)
    return field.label if field is not None else ""


def plan_measure(measure: Measure, form: FormDefinition, scope: Scope, path: str, index: int = 0,
                 app: AppDefinition | None = None) -> MeasurePlan:
    """The plan of one measure; InvalidDefinition (with `path`) when it names what the form lacks. With
    `app` (and a scope built with it), a field may be one of a related form's (`customer.annual_revenue`),
    and a rollup or lookup field takes the unit of the field it reads."""
    plan = _plan(measure, form, scope, path, index, app)
    plan.format, plan.decimals = measure.format or _unit(measure, form, plan, app), measure.decimals
    return plan


def field_unit(field: FieldType, form: FormDefinition, forms: Mapping[str, FormDefinition], depth: int = 0) -> str | None:
    """The unit of a field's values: money and percent fields say so; a rollup (sum, average, min, max)
    or a lookup has the unit of the field it reads (a rollup count is a count); others have none."""
    if field.report_unit is not None or depth > 3:  # depth: a chain of lookups is short; never loop
        return field.report_unit
    if isinstance(field, RollupField):
        source = forms.get(field.source.form)
        if field.agg == "count":
            return "count"
        read = source.by_key.get(field.of or "") if source is not None else None
        return field_unit(read, source, forms, depth + 1) if read is not None and source is not None else None
    if isinstance(field, LookupField):
        relation = form.by_key.get(field.relation)
        target = forms.get(getattr(relation, "target", "") or "")
        read = target.by_key.get(field.field) if target is not None else None
        return field_unit(read, target, forms, depth + 1) if read is not None and target is not None else None
    return None


_COUNTS = ("COUNT", "COUNT_VALUES", "COUNTIF", "COUNT_DISTINCT")


def _is_days(node: Node | None) -> bool:
    """`DATEDIF(a, b, "D")`: a number of days."""
    return (isinstance(node, Call) and node.name == "DATEDIF" and len(node.args) == 3
            and isinstance(node.args[2], Literal) and str(node.args[2].value).upper() == "D")


def _over_days(plan: MeasurePlan) -> bool:
    """A sum, min, max or average of a DATEDIF in days (AVERAGE(DATEDIF(created_at, closed_at, "D"))), alone
    or divided by a count of it: still days."""
    assert plan.outer is not None
    outer = plan.outer.node
    alone = isinstance(outer, FieldRef) or (isinstance(outer, Binary) and outer.op == "/"
                                             and isinstance(outer.left, FieldRef) and isinstance(outer.right, FieldRef))
    return alone and any(leaf.name != "COUNT_VALUES" for leaf in plan.leaves) and all(
        leaf.name in ("SUM", "MIN", "MAX", "COUNT_VALUES") and leaf.arg is not None and _is_days(leaf.arg.node)
        for leaf in plan.leaves)


def _unit(measure: Measure, form: FormDefinition, plan: MeasurePlan, app: AppDefinition | None) -> str | None:
    """A measure's unit when it declares no format: counts are integers (`COUNTIF(...)` alone too), a sum
    or an average of a money field is money (of a percent field, a percent); other calculations are numbers."""
    if measure.agg in ("count", "count_distinct"):
        return "count"
    if plan.outer is not None and isinstance(plan.outer.node, FieldRef) and [leaf.name for leaf in plan.leaves] in \
            [[name] for name in _COUNTS]:
        return "count"
    if plan.outer is not None and _over_days(plan):
        return "days"
    forms = app.forms_by_key if app is not None else {}
    field, home = form.by_key.get(measure.field or ""), form
    path = related_path(form, app, measure.field) if measure.field and "." in measure.field else None
    if path is not None and app is not None:  # `customer.annual_revenue`: the related form's field
        field = path[1]  # (a sub_table's column: the form is its home)
        home = form if path[0][0].type == "sub_table" else app.form(str(getattr(path[0][-1], "target", "")))
    unit = field_unit(field, home, forms) if measure.agg is not None and field is not None else None
    if unit is not None:
        return unit
    return "number" if measure.decimals is not None else None


def _plan(measure: Measure, form: FormDefinition, scope: Scope, path: str, index: int,
          app: AppDefinition | None) -> MeasurePlan:
    key = measure.column_key if measure.key or measure.agg else f"expr_{index + 1}"
    if measure.agg is not None:
        default = f"{field_label(form, app, measure.field or '')}{_ZH[measure.agg]}"
        label = measure.label or (default if measure.field else "记录数")
        if measure.agg == "count":
            leaves = [Leaf("COUNT")] if measure.field is None else [_field_leaf("COUNT_VALUES", measure.field,
                                                                                    scope, f"{path}.field")]
            return MeasurePlan(key, label, leaves)
        if measure.agg == "avg":
            total = _field_leaf("SUM", measure.field or "", scope, f"{path}.field")
            return MeasurePlan(key, label, [total, Leaf("COUNT_VALUES", total.arg)], average=True)
        leaf = _field_leaf(_SIMPLE[measure.agg], measure.field or "", scope, f"{path}.field")
        kind = str(leaf.arg.type) if leaf.arg and measure.agg in ("min", "max") else "number"
        if measure.agg == "count_distinct":
            kind = "number"
        return MeasurePlan(key, label, [leaf], kind=kind)
    return _plan_expression(measure, scope, f"{path}.expr", key)


def _plan_expression(measure: Measure, scope: Scope, path: str, key: str) -> MeasurePlan:
    text = measure.expr or ""
    try:
        node = parse(text)
        leaves: list[Leaf] = []
        outer_node = _lift(node, scope, text, leaves)
        names = {f"_a{i}": NUMBER for i in range(len(leaves))}
        outer_scope = Scope(scope.form, names)
        outer = check_node(outer_node, outer_scope, text)
    except ExpressionError as e:
        raise _issue(path, "invalid_expression", e.message, e.message_en or e.message) from None
    if outer.type not in (NUMBER, NULL):
        raise _issue(path, "not_numeric", "计算指标的结果应为数字", "a calculated measure must give a number")
    if not leaves:
        raise _issue(path, "no_aggregate", "计算指标至少要有一个汇总函数，如 COUNT()、SUM(amount)",
                     "a calculated measure needs an aggregate such as COUNT() or SUM(amount)")
    return MeasurePlan(key, measure.label or text, leaves, outer)


def _lift(node: Node, scope: Scope, text: str, leaves: list[Leaf]) -> Node:
    """Replace each aggregate call by `_aN` (its leaf) and check its argument as a row expression."""
    if isinstance(node, Call) and (node.name in report_aggregates or node.name == "AVERAGE"):
        return _aggregate(node, scope, text, leaves)
    if isinstance(node, FieldRef):
        raise ExpressionError(node.line, node.column,
                              f"字段 {'.'.join(node.path)} 要放在汇总函数里，如 SUM({'.'.join(node.path)})",
                              f"field {'.'.join(node.path)!r} must be inside an aggregate, e.g. SUM(...)")
    node = copy.copy(node)
    if isinstance(node, Call):
        node.args = [_lift(a, scope, text, leaves) for a in node.args]
    elif isinstance(node, Unary) and node.operand is not None:
        node.operand = _lift(node.operand, scope, text, leaves)
    elif isinstance(node, Binary) and node.left is not None and node.right is not None:
        node.left, node.right = _lift(node.left, scope, text, leaves), _lift(node.right, scope, text, leaves)
    elif isinstance(node, InList) and node.item is not None:
        node.item = _lift(node.item, scope, text, leaves)
        node.options = [_lift(o, scope, text, leaves) for o in node.options]
    return node


def _leaf_ref(node: Node, leaves: list[Leaf], leaf: Leaf) -> FieldRef:
    for i, existing in enumerate(leaves):
        if existing.signature == leaf.signature:
            return FieldRef(node.line, node.column, (f"_a{i}",))
    leaves.append(leaf)
    return FieldRef(node.line, node.column, (f"_a{len(leaves) - 1}",))


def _aggregate(node: Call, scope: Scope, text: str, leaves: list[Leaf]) -> Node:
    if node.name == "AVERAGE":
        total = Call(node.line, node.column, "SUM", node.args)
        count = Call(node.line, node.column, "COUNT", node.args)
        return Binary(node.line, node.column, "/", _aggregate(total, scope, text, leaves),
                      _aggregate(count, scope, text, leaves))
    name = "COUNT_VALUES" if node.name == "COUNT" and node.args else node.name
    agg = report_aggregates.get(name)
    wanted = 0 if agg.arg == "none" else 1
    if len(node.args) != wanted:
        raise ExpressionError(node.line, node.column, f"{node.name} 在报表指标中需要 {wanted} 个参数",
                              f"{node.name} takes {wanted} argument(s) in a report measure")
    if not node.args:
        return _leaf_ref(node, leaves, Leaf(name))
    arg = check_node(node.args[0], scope, text)
    if agg.arg == "condition" and arg.type not in (BOOL, NULL):
        raise ExpressionError(node.line, node.column, f"{node.name} 的参数应为条件，如 stage = \"赢单\"",
                              f"the argument of {node.name} must be a condition")
    if agg.numeric and arg.type not in (NUMBER, NULL):
        raise ExpressionError(node.line, node.column, f"{node.name} 只能汇总数字", f"{node.name} adds up numbers")
    if arg.type is not None and arg.type.is_list:
        raise ExpressionError(node.line, node.column, f"{node.name} 的参数不能是列表",
                              f"the argument of {node.name} cannot be a list")
    arg.text = _node_text(node.args[0])
    return _leaf_ref(node, leaves, Leaf(name, arg))


def _node_text(node: Node) -> str:
    """A stable signature of a subtree (for sharing equal leaves), not for display."""
    if isinstance(node, Literal):
        return repr(node.value)
    if isinstance(node, FieldRef):
        return ".".join(node.path)
    if isinstance(node, Call):
        return f"{node.name}({','.join(_node_text(a) for a in node.args)})"
    if isinstance(node, Unary):
        return f"{node.op}({_node_text(node.operand) if node.operand else ''})"
    if isinstance(node, Binary):
        return f"({_node_text(node.left) if node.left else ''}{node.op}{_node_text(node.right) if node.right else ''})"
    if isinstance(node, InList):
        options = ",".join(_node_text(o) for o in node.options)
        return f"({_node_text(node.item) if node.item else ''} {'NOT ' if node.negated else ''}IN [{options}])"
    return "?"


__all__ = ["Leaf", "MeasurePlan", "plan_measure", "field_unit", "quotient", "field_label"]
