"""FieldType: the base of every field type. One subclass per type, one module per subclass.

A field type is at once the pydantic model of the field's definition (its options) and the
behaviour of its values: normalise, describe in JSON Schema, store, filter, and move to and
from a spreadsheet cell. The engine registers the subclasses in `engine/forms/fields/__init__.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from engine.errors import FieldValueError, Issue
from engine.forms.fields.palette import Palette
from engine.forms.masks import MASK
from engine.keys import Key
from engine.limits import DEFAULT, Limits

if TYPE_CHECKING:
    from engine.app import AppDefinition
    from engine.forms.model import FormDefinition

Storage = Literal["text", "number", "integer", "bool", "json"]
"""How a value sits in the record's JSON and how SQL reads it back:
text (strings, ISO dates and datetimes), number (exact decimals and numbers, read as NUMERIC),
integer (record ids, ratings: whole numbers), bool, json (lists and objects: neither sortable nor indexable)."""

EQUALITY_OPS = ("eq", "ne", "in", "blank", "not_blank")
ORDER_OPS = ("lt", "lte", "gt", "gte")
TEXT_OPS = ("contains", "starts_with")
CONTAINER_OPS = ("has", "blank", "not_blank")

LITERAL_MOMENT = datetime(1970, 1, 1, tzinfo=UTC)
"""The `now` of a context that only normalises a literal (a definition's default, a filter's value): field
types read no clock when they normalise, and no expression is evaluated, so no real moment is needed."""

BOUNDS = (("min", "max"), ("min_length", "max_length"), ("min_selected", "max_selected"), ("min_rows", "max_rows"))
"""Pairs of options, in whichever type has them, where the first may not exceed the second."""


@dataclass(frozen=True)
class ValueContext:
    """What normalising a value may need from the outside world, passed in (engines read no clock): `now` is
    the request's or the job's time, which formulas and default formulas see."""

    now: datetime
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    limits: Limits = DEFAULT
    """How much one value may hold (the runtime's settings; engine/forms/bounds.py checks them)."""


class ValidationRule(BaseModel):
    """A rule `{"expr", "message"}` checked on save (evaluated once the expression language lands)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    expr: str
    message: str


class FieldType(BaseModel):
    """The definition of one field, and how its values behave."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    type: str
    label: str
    label_en: str | None = None
    help: str | None = None
    required: bool = False
    unique: bool = False
    indexed: bool = False
    encrypted: bool = False
    default: Any = None
    default_formula: str | None = None
    width: Literal["full", "half"] = "full"
    visible_when: str | None = None
    editable_when: str | None = None
    rules: list[ValidationRule] = []

    storage: ClassVar[Storage] = "text"
    """How the value is stored and read back by SQL (see `Storage`)."""
    sortable: ClassVar[bool] = True
    """Whether lists can sort by the field and indexes can cover it."""
    computed: ClassVar[bool] = False
    """Whether Tangram sets the value (auto_number, formula): users never write it."""
    filter_ops: ClassVar[tuple[str, ...]] = EQUALITY_OPS
    """The list filter operators the field accepts."""
    refers_to: ClassVar[Literal["record", "user", "department", "file"] | None] = None
    """What the values name, so the runtime can check that it exists."""
    value_type: ClassVar[str | None] = "text"
    """The type of the value in expressions: number, text, bool, date, datetime, list[text]; None
    when expressions cannot use it (addresses, attachments; sub_tables only through their columns)."""
    report_unit: ClassVar[Literal["money", "percent"] | None] = None
    """The unit a report measure over the field takes unless it declares a format (engine/reports/formats.py)."""
    encryptable: ClassVar[bool] = False
    """Whether `encrypted: true` is allowed: text-like values, which once encrypted are only ever
    compared whole (equality, uniqueness) and never ordered, searched inside or grouped."""
    words: ClassVar[bool] = False
    """Whether the values are words people read, sorted in Chinese order (Han by pinyin, case and
    width ignored); other text (phones, e-mails, option values) sorts by code point."""
    palette: ClassVar[Palette | None] = None
    """The type's entry in the form builder's palette (name, group, icon, starter options); every
    registered type has one (tests/engine/test_field_type_ui_contract.py)."""
    in_sub_table: ClassVar[bool] = True
    """Whether a sub_table may hold a column of this type (the engine refuses the others there)."""
    list_cell: ClassVar[str] = "text"
    """How a list cell, a card and a record page show a value: a renderer of builder_ui/cells.py
    (`text`, the spreadsheet text; `rows`, a sub_table's rows; `stars`, ★★★☆☆)."""
    filter_widget: ClassVar[str] = "text"
    """The value box of a list filter on the field: a widget of builder_ui/filter_widgets.py."""

    @classmethod
    def type_name(cls) -> str:
        """The `type` of definitions of this class, read from its Literal annotation."""
        return str(get_args(cls.model_fields["type"].annotation)[0])

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        """Return the canonical stored value of a non-blank input, or raise FieldValueError."""
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        """The JSON Schema of one non-blank stored value."""
        raise NotImplementedError

    def from_cell(self, cell: Any) -> Any:
        """Turn a spreadsheet cell (str, int, float, date, datetime, bool) into input for normalize."""
        return cell

    def to_cell(self, value: Any) -> Any:
        """Turn a stored value into a spreadsheet cell; from_cell then normalize gives it back."""
        return value

    def mask(self, value: Any) -> Any:
        """The value as a reader with `masked` access sees it (脱敏; engine.forms.masks): never the value
        itself. The default hides it wholly ("****"); text-like types keep a recognisable part. Blank
        stays None."""
        return None if self.is_blank(value) else MASK

    def check(self, form: FormDefinition, app: AppDefinition) -> list[Issue]:
        """Problems of this definition that need the rest of the app (targets); bounds are in order and
        the default fits. Types with cross-references extend this and call super()."""
        issues: list[Issue] = []
        if self.encrypted and not type(self).encryptable:
            issues.append(Issue("encrypted", "not_encryptable", f"{self.type} 类型的字段不能加密（可加密：文本、多行文本、电话、邮箱、网址）",
                                f"a {self.type} field cannot be encrypted (text, textarea, phone, email and url can)"))
        for low, high in BOUNDS:
            a, b = getattr(self, low, None), getattr(self, high, None)
            if a is not None and b is not None and a > b:
                issues.append(Issue(low, "invalid_bounds", f"{low}（{a}）不能大于 {high}（{b}）",
                                    f"{low} ({a}) is greater than {high} ({b})"))
        if issues or self.is_blank(self.default) or type(self).computed:
            return issues
        try:
            self.normalize(self.default, ValueContext(LITERAL_MOMENT))
        except FieldValueError as e:
            return [Issue("default", "invalid_default", f"默认值不符合字段要求：{e.message}",
                          f"the default does not fit the field: {e.message_en or e.message}")]
        return []

    def storage_kind(self) -> Storage:
        """How this field's values are stored (a type whose options change it overrides this)."""
        return type(self).storage

    def expression_type(self) -> str | None:
        """The value's type in expressions (see `value_type`; a type whose options change it overrides)."""
        return type(self).value_type

    def sorts_as_words(self) -> bool:
        """Whether the field sorts in Chinese order (see `words`; computed types by their result)."""
        return type(self).words

    def sort_order(self) -> tuple[str, ...]:
        """The values in the order lists, indexes, kanbans and reports sort them, when that is not the
        values' own order (a select's options, as the definition lists them); empty otherwise."""
        return ()

    def is_sortable(self) -> bool:
        """Whether this field can be sorted and indexed (an encrypted one is indexed by its blind index, for
        equality only: `orders` says whether it may be sorted)."""
        return type(self).sortable and self.storage_kind() != "json"

    def orders(self) -> bool:
        """Whether lists and reports may sort, range-filter, search inside or group by the values: not
        when they are encrypted (the database holds ciphertext and a keyed hash, no order)."""
        return self.is_sortable() and not self.encrypted

    def references(self, value: Any) -> list[Any]:
        """The ids, usernames or department keys a stored value names (see `refers_to`)."""
        return []

    @staticmethod
    def is_blank(value: Any) -> bool:
        """Blank is None, an empty or all-space string, an empty list or object."""
        if isinstance(value, str):  # the common case first: every value of a form passes here
            return not value.strip()
        if value is None:
            return True
        if isinstance(value, list | dict | tuple):
            return len(value) == 0
        return False
