"""FormDefinition: a form's key, name, fields and declared indexes, parsed once at the border."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from engine.dedup.model import DuplicateRule
from engine.errors import NotFound
from engine.forms.fields import FieldType, any_field_annotation
from engine.forms.timeline import TimelineView
from engine.keys import Key
from engine.printing.model import PrintTemplate

if TYPE_CHECKING:  # every field type is a FieldType; pydantic parses the discriminated union of the registered ones
    AnyField: TypeAlias = FieldType
else:
    AnyField = any_field_annotation()


class _HasKey(Protocol):
    @property
    def key(self) -> str: ...


_Keyed = TypeVar("_Keyed", bound=_HasKey)
"""A form's part found by its key (a print template, a timeline)."""


class FormDefinition(BaseModel):
    """One form: what its records hold. `indexes` lists filter+sort column lists, `-` for descending."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str
    name_en: str | None = None
    description: str | None = None
    title_field: str | None = None
    search_fields: list[str] = Field(default_factory=list)  # searched with the title field (手机, 编号 …)
    fields: list[AnyField] = Field(default_factory=list)
    indexes: list[list[str]] = Field(default_factory=list)
    print_templates: list[PrintTemplate] = Field(default_factory=list)  # 报价单, 合同 … (engine/printing)
    duplicate_rules: list[DuplicateRule] = Field(default_factory=list)  # 查重规则 (engine/dedup/model.py)
    timelines: list[TimelineView] = Field(default_factory=list)  # 甘特图 / 时间线 (engine/forms/timeline.py)

    @cached_property
    def by_key(self) -> dict[str, FieldType]:
        return {f.key: f for f in self.fields}

    @cached_property
    def has_expressions(self) -> bool:
        """Whether writes must compute formulas or check rules (most forms: no, and that is faster)."""
        return any(f.type == "formula" or f.default_formula or f.rules or f.editable_when
                   or any(s.type == "formula" or s.rules for s in getattr(f, "fields", []) if f.type == "sub_table")
                   for f in self.fields)

    @cached_property
    def searched_fields(self) -> list[str]:
        """The keys a search looks in: the title field, then `search_fields`, those that take `contains`
        (never an encrypted one: its words would sit in the search table in the clear)."""
        keys = dict.fromkeys([self.title_field or "", *self.search_fields])
        return [k for k in keys if k in self.by_key and "contains" in self.by_key[k].filter_ops
                and not self.by_key[k].encrypted]

    @cached_property
    def encrypted(self) -> list[FieldType]:
        """The fields whose values are encrypted at rest (`encrypted: true`)."""
        return [f for f in self.fields if f.encrypted]

    @cached_property
    def field_keys(self) -> list[str]:
        return [f.key for f in self.fields]

    @cached_property
    def writable(self) -> list[FieldType]:
        """The fields users fill in (not auto numbers and other computed fields)."""
        return [f for f in self.fields if not f.computed]

    @cached_property
    def defaulted(self) -> list[FieldType]:
        """Writable fields with a default value (filled in on create when not given)."""
        return [f for f in self.writable if f.default is not None]

    @cached_property
    def required(self) -> list[FieldType]:
        return [f for f in self.writable if f.required]

    @cached_property
    def referring(self) -> list[FieldType]:
        """The fields whose values name records, users, departments or files."""
        return [f for f in self.fields if f.refers_to]

    def field(self, key: str) -> FieldType:
        """The field with this key, or NotFound naming the form's fields."""
        try:
            return self.by_key[key]
        except KeyError:
            raise NotFound(
                f"表单“{self.name}”没有字段 {key}", f"form {self.key!r} has no field {key!r}", field=key
            ) from None

    def print_template(self, key: str) -> PrintTemplate:
        """The print template with this key, or NotFound naming the form's templates."""
        return self._named(self.print_templates, key, "打印模板", "print template", "template")

    def timeline(self, key: str) -> TimelineView:
        """The timeline view with this key, or NotFound naming the form's timelines."""
        return self._named(self.timelines, key, "时间线", "timeline", "timeline")

    def _named(self, items: list[_Keyed], key: str, zh: str, en: str, field: str) -> _Keyed:
        for item in items:
            if item.key == key:
                return item
        keys = ", ".join(i.key for i in items) or "—"
        raise NotFound(f"表单“{self.name}”没有{zh} {key}（有：{keys}）",
                       f"form {self.key!r} has no {en} {key!r} (it has: {keys})", field=field)

    def label(self) -> str:
        return self.name

    def dump(self) -> dict[str, Any]:
        """The definition as JSON data, without defaults that were not written."""
        return self.model_dump(mode="json", exclude_defaults=True, by_alias=True) | {"key": self.key}
