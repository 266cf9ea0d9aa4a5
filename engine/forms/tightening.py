"""What a new form definition asks more of stored values, and what the publisher decided about it.

A publish compares each field with its published self: a rule that is new or stricter (required,
a bound, a pattern, an option taken away, unique, a sub-table column, a type change) may be broken
by records stored under the old rule. The runtime counts those records (runtime/apps/
constraint_report.py); the publisher then decides per problem: fill the gap (a value, or an
expression over the record) in the same publish, or apply the rule to new and changed values only
(writes never refuse a value they leave alone: engine/forms/validate.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from engine.errors import FieldValueError, Issue, ValidationFailed
from engine.expr.evaluate import evaluate
from engine.expr.nodes import BOOL
from engine.forms.changes import value_changes
from engine.forms.defaults import as_input as plain
from engine.forms.expressions import _context as eval_context
from engine.forms.expressions import checked, row_values
from engine.forms.fields.base import BOUNDS, FieldType, ValueContext
from engine.forms.model import FormDefinition
from engine.model_words import Refusal

Constraint = Literal["required", "min_length", "max_length", "min", "max", "min_selected", "max_selected",
                     "min_rows", "max_rows", "pattern", "options", "unique", "columns", "rules", "type"]

NAMES = {
    "required": ("设为必填", "made required"), "min_length": ("最少字数", "min length"),
    "max_length": ("最多字数", "max length"), "min": ("最小值", "minimum"), "max": ("最大值", "maximum"),
    "min_selected": ("最少选项数", "min options"), "max_selected": ("最多选项数", "max options"),
    "min_rows": ("最少行数", "min rows"), "max_rows": ("最多行数", "max rows"),
    "pattern": ("格式", "pattern"), "options": ("删除了选项", "options removed"), "unique": ("设为唯一", "made unique"),
    "columns": ("明细字段的规则", "sub-table column rules"), "rules": ("新的校验规则", "new validation rules"),
    "type": ("类型变更", "type change"),
}
"""How the report names each constraint, in Chinese and English."""

NEW_ONLY_REFUSED = frozenset({"unique", "type"})
"""Constraints that cannot apply to new values only: a unique index holds for every row, and a
value of the old type cannot sit in a column now read as the new one (sorts, filters, reports)."""
FILL_REFUSED = frozenset({"unique", "columns"})
"""Constraints no single value can fill: duplicates stay duplicates; a sub-table's rows are edited
row by row in the records."""


@dataclass(frozen=True)
class Tightening:
    """One constraint of `field` that the new definition adds or makes stricter."""

    form: str
    field: FieldType
    """The field as newly defined."""
    constraint: Constraint
    old: FieldType | None
    """The field as published (None: the key is new to the form)."""
    limit: Any = None
    """The new bound or pattern, the option values taken away, or the new rules' expressions."""

    def breaks_record(self, form: FormDefinition, data: dict[str, Any], ctx: ValueContext) -> bool:
        """For `rules`: whether a new rule of the field is FALSE for the stored record (blank passes)."""
        values = row_values(form, data)
        return any(evaluate(checked(form, expr, BOOL), values, eval_context(ctx, None)) is False
                   for expr in self.limit)

    @cached_property
    def probe(self) -> FieldType:
        """The old field with this one constraint as newly defined (built once: a scan asks per value)."""
        if self.old is None or self.constraint == "type":
            return self.field
        return _probe(self.old, self.field, self.constraint)

    def breaks(self, value: Any, ctx: ValueContext) -> bool:
        """Whether a stored, non-blank value breaks this constraint (for the constraints the runtime
        cannot count in SQL): the old field with this one constraint changed refuses it."""
        try:
            self.probe.normalize(value, ctx)
        except FieldValueError:
            return True
        return False


def _probe(old: FieldType, new: FieldType, constraint: str) -> FieldType:
    option = {"options": "options", "columns": "fields"}.get(constraint, constraint)
    return type(old).model_validate(old.model_dump() | {option: new.model_dump()[option]})


def tightenings(old: FormDefinition, new: FormDefinition) -> list[Tightening]:
    """Every constraint of `new` that records stored under `old` may break, in field order."""
    retyped = {c.key for c in value_changes(old, new)}
    found: list[Tightening] = []
    for field in new.fields:
        if type(field).computed:
            continue
        before = old.by_key.get(field.key)
        if field.required and not (before is not None and before.required):
            found.append(Tightening(new.key, field, "required", before))
        if field.key in retyped:  # a new key or a new type: every stored value is converted
            found.append(Tightening(new.key, field, "type", before))
        elif before is not None:
            found += _stricter(new.key, before, field)
        if field.unique and not (before is not None and before.unique):
            found.append(Tightening(new.key, field, "unique", before))
    return found


def _stricter(form: str, old: FieldType, new: FieldType) -> list[Tightening]:
    found = []
    for low, high in BOUNDS:
        for option, tighter in ((low, _greater), (high, _less)):
            limit = getattr(new, option, None)
            if limit is not None and tighter(limit, getattr(old, option, None)):
                found.append(Tightening(form, new, option, old, limit))  # type: ignore[arg-type]  # BOUNDS (str pairs) names constraints only
    pattern = getattr(new, "pattern", None)
    if new.type in ("text", "textarea") and pattern and pattern != getattr(old, "pattern", None):
        found.append(Tightening(form, new, "pattern", old, pattern))
    if new.type == "cascade" and new.model_dump()["options"] != old.model_dump()["options"]:
        found.append(Tightening(form, new, "options", old))  # a tree: the probe tells which paths are gone
    elif new.type in ("select", "multi_select"):
        removed = sorted(_option_values(old) - _option_values(new))
        if removed:
            found.append(Tightening(form, new, "options", old, removed))
    added = [r.expr for r in new.rules if r not in old.rules]
    if added:
        found.append(Tightening(form, new, "rules", old, added))
    if new.type == "sub_table" and tightenings(_rows(old), _rows(new)):
        found.append(Tightening(form, new, "columns", old))
    return found


def _greater(limit: Any, before: Any) -> bool:
    return before is None or limit > before


def _less(limit: Any, before: Any) -> bool:
    return before is None or limit < before


def _option_values(field: FieldType) -> set[str]:
    return {o.value for o in getattr(field, "options", [])}  # parsed into Option models


def _rows(field: FieldType) -> FormDefinition:
    return FormDefinition(key="rows", name=field.label, fields=getattr(field, "fields", []))


class Decision(BaseModel):
    """What the publisher chose for one problem: `fill` (with `value` or `expression`) or `new_only`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    form: str
    field: str
    constraint: Constraint
    action: Literal["fill", "new_only"]
    value: Any = None
    expression: str | None = None

    @model_validator(mode="after")
    def _fits(self) -> Decision:
        if self.action == "fill" and (self.value is None) == (self.expression is None):
            raise Refusal("fill 需要 value 或 expression，只能填一个", "fill needs exactly one of value and expression")
        if self.action == "new_only" and (self.value is not None or self.expression is not None):
            raise Refusal("new_only 不带 value 或 expression", "new_only takes no value or expression")
        if self.action == "new_only" and self.constraint in NEW_ONLY_REFUSED:
            raise Refusal(f"{self.constraint} 不能只用于新值", f"{self.constraint} cannot apply to new values only")
        if self.action == "fill" and self.constraint in FILL_REFUSED:
            raise Refusal(f"{self.constraint} 不能用一个值补齐", f"{self.constraint} cannot be filled with one value")
        return self

    @property
    def problem(self) -> tuple[str, str, str]:
        return self.form, self.field, self.constraint


__all__ = ["Constraint", "Decision", "NAMES", "NEW_ONLY_REFUSED", "FILL_REFUSED", "Tightening", "fill_value", "parse_decisions", "tightenings"]


def fill_value(form: FormDefinition, decision: Decision, data: dict[str, Any], ctx: ValueContext,
               user: str | None = None) -> Any:
    """The value a `fill` decision gives one breaking record, normalised by the new field (None: the
    value is cleared); FieldValueError when it does not fit, or is blank for a required field. An
    expression reads the record's own fields (`LEFT(name, 3)`, `"未登记-" & id`)."""
    field = form.field(decision.field)
    raw = decision.value
    if decision.expression is not None:
        values = row_values(form, data) | {"id": data.get("id")}
        raw = plain(evaluate(checked(form, decision.expression), values, eval_context(ctx, user)))
    if FieldType.is_blank(raw):
        if field.required:
            raise FieldValueError(f"“{field.label}”为必填项，填充的值不能为空", f"{field.key!r} is required: the fill is blank")
        return None
    return field.normalize(raw, ctx)


def parse_decisions(raw: Any) -> list[Decision]:
    """The `decisions` of a publish request, or ValidationFailed naming each bad one (`decisions[1].action`)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed("decisions 应为列表", "decisions must be a list",
                               issues=[Issue("decisions", "invalid_type", "decisions 应为列表", "decisions must be a list")])
    decisions, issues = [], []
    for i, item in enumerate(raw):
        try:
            decisions.append(Decision.model_validate(item))
        except ValidationError as e:
            for err in e.errors():
                where = ".".join(str(p) for p in err["loc"])
                message = err["msg"].removeprefix("Value error, ")
                issues.append(Issue(f"decisions[{i}]" + (f".{where}" if where else ""), "invalid_decision", message))
    if issues:
        raise ValidationFailed(f"有 {len(issues)} 个处理方式不正确", f"{len(issues)} decision(s) are invalid", issues=issues)
    return decisions
