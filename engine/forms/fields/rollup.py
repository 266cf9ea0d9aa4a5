"""rollup: a summary of the records that point here (客户.累计成交金额 = SUM of 合同.合同金额),
optionally of those meeting a condition (`where`), recomputed in the same transaction whenever one of
them is created, changed or deleted."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from engine.errors import Issue
from engine.forms.fields.base import EQUALITY_OPS, ORDER_OPS, FieldType, Storage, ValueContext
from engine.forms.fields.lookup import RESULT_STORAGE
from engine.forms.fields.palette import Palette
from engine.keys import Key
from engine.model_words import Refusal

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition


class RollupSource(BaseModel):
    """The form whose records are summarised, and its relation field that points at this form."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    form: Key
    field: Key


class RollupField(FieldType):
    """`agg` (sum, count, avg, min, max) `of` a field of the `source` records (count needs none);
    `where`: an expression over a source record's own fields, only records for which it is TRUE count."""

    type: Literal["rollup"]
    source: RollupSource
    agg: Literal["sum", "count", "avg", "min", "max"]
    of: Key | None = None
    result: Literal["number", "date", "datetime"] = "number"
    where: str | None = None

    computed = True
    filter_ops = EQUALITY_OPS + ORDER_OPS
    palette = Palette("汇总", "Rollup", "link", "Σ", from_app=True)
    in_sub_table = False  # a rollup sums records that point at the form, not at a row

    @model_validator(mode="after")
    def _needs_of(self) -> RollupField:
        if self.agg != "count" and self.of is None:
            raise Refusal(f"汇总方式 {self.agg!r} 需要 of（汇总哪个字段）", f"agg {self.agg!r} needs `of`, the field to summarise")
        return self

    def storage_kind(self) -> Storage:
        return RESULT_STORAGE[self.result]

    def expression_type(self) -> str | None:
        return self.result

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"readOnly": True}

    def summarise(self, values: list[Any]) -> Any:
        """The rollup of the source records' stored values (blanks skipped; sums exact)."""
        present = [v for v in values if v is not None]
        if self.agg == "count":
            return str(len(values))
        if not present:
            return "0" if self.agg == "sum" else None
        if self.result != "number":
            return min(present) if self.agg == "min" else max(present)
        numbers = [Decimal(str(v)) for v in present]
        total = {"sum": lambda: sum(numbers, Decimal(0)), "avg": lambda: sum(numbers, Decimal(0)) / len(numbers),
                 "min": lambda: min(numbers), "max": lambda: max(numbers)}[self.agg]()
        text = format(total.quantize(Decimal("1e-10")) if total.as_tuple().exponent < -10 else total, "f")  # type: ignore[operator]  # a finite Decimal's exponent is an int
        return text.rstrip("0").rstrip(".") if "." in text else text

    def check(self, form: FormDefinition, app: AppDefinition) -> list[Issue]:
        source = app.forms_by_key.get(self.source.form)
        if source is None:
            return [Issue("source.form", "unknown_form", f"表单 {self.source.form} 不存在",
                          f"no form {self.source.form!r}")]
        relation = source.by_key.get(self.source.field)
        if relation is None or getattr(relation, "target", None) != form.key or getattr(relation, "multiple", True):
            return [Issue("source.field", "unknown_relation",
                          f"{self.source.form}.{self.source.field} 不是指向本表单的单选关联字段",
                          f"{self.source.form}.{self.source.field} is not a single relation to this form")]
        of = source.by_key.get(self.of) if self.of else None
        if self.of and of is None:
            return [Issue("of", "unknown_field", f"表单 {self.source.form} 没有字段 {self.of}",
                          f"form {self.source.form!r} has no field {self.of!r}")]
        wanted = "number" if self.agg in ("sum", "avg") else self.result
        if of is not None and self.agg != "count" and of.expression_type() != wanted:
            return [Issue("of", "wrong_type", f"{self.agg} 需要{wanted}字段，{self.of} 是 {of.expression_type()}",
                          f"{self.agg} needs a {wanted} field; {self.of!r} is {of.expression_type()}")]
        return []  # `where` is checked by engine/app_check.py: the expression checker reads the field types
