"""The registry of field types. Built-ins are listed here, explicitly; one module per type."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.money import MoneyField
from engine.forms.fields.select import SelectField
from engine.forms.fields.text import TextField
from engine.registry import Registry

field_types: Registry[type[FieldType]] = Registry("field type")

BUILT_INS: tuple[type[FieldType], ...] = (
    TextField,
    MoneyField,
    SelectField,
)
for _cls in BUILT_INS:
    field_types.register(_cls.type_name(), _cls)


def any_field_annotation() -> Any:
    """The discriminated union of every registered type, for models that hold fields."""
    return Annotated[Union[tuple(field_types.all())], Field(discriminator="type")]  # noqa: UP007


def parse_field(data: dict[str, Any]) -> FieldType:
    """Parse one field definition (raises pydantic.ValidationError)."""
    return TypeAdapter(any_field_annotation()).validate_python(data)


__all__ = ["FieldType", "ValueContext", "field_types", "any_field_annotation", "parse_field"]
