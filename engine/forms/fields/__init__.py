"""The registry of field types. Built-ins are listed here, explicitly; one module per type."""

from __future__ import annotations

from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from engine.forms.fields.address import AddressField
from engine.forms.fields.attachment import AttachmentField
from engine.forms.fields.auto_number import AutoNumberField
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.boolean import BooleanField
from engine.forms.fields.cascade import CascadeField
from engine.forms.fields.date import DateField
from engine.forms.fields.datetime import DateTimeField
from engine.forms.fields.department import DepartmentField
from engine.forms.fields.email import EmailField
from engine.forms.fields.formula import FormulaField
from engine.forms.fields.lookup import LookupField
from engine.forms.fields.money import MoneyField
from engine.forms.fields.number import NumberField
from engine.forms.fields.percent import PercentField
from engine.forms.fields.phone import PhoneField
from engine.forms.fields.rating import RatingField
from engine.forms.fields.relation import RelationField
from engine.forms.fields.rollup import RollupField
from engine.forms.fields.select import MultiSelectField, SelectField
from engine.forms.fields.sub_table import SubTableField
from engine.forms.fields.text import TextField
from engine.forms.fields.textarea import TextareaField
from engine.forms.fields.url import UrlField
from engine.forms.fields.user import UserField
from engine.forms.fields.users import UsersField
from engine.registry import Registry

field_types: Registry[type[FieldType]] = Registry("field type")

BUILT_INS: tuple[type[FieldType], ...] = (
    TextField,
    TextareaField,
    NumberField,
    MoneyField,
    PercentField,
    DateField,
    DateTimeField,
    BooleanField,
    SelectField,
    MultiSelectField,
    CascadeField,
    AddressField,
    PhoneField,
    EmailField,
    UrlField,
    UserField,
    UsersField,
    DepartmentField,
    RelationField,
    AutoNumberField,
    AttachmentField,
    SubTableField,
    FormulaField,
    LookupField,
    RollupField,
    RatingField,
)
for _cls in BUILT_INS:
    field_types.register(_cls.type_name(), _cls)


def any_field_annotation() -> Any:
    """The discriminated union of every registered type, for models that hold fields."""
    return Annotated[Union[tuple(field_types.all())], Field(discriminator="type")]  # noqa: UP007


# A sub_table holds fields of any type: its annotation names the union, resolved now that it exists.
SubTableField.model_rebuild(_types_namespace={"SubField": any_field_annotation()})


def parse_field(data: dict[str, Any]) -> FieldType:
    """Parse one field definition (raises pydantic.ValidationError)."""
    field: FieldType = TypeAdapter(any_field_annotation()).validate_python(data)
    return field


__all__ = ["FieldType", "ValueContext", "field_types", "any_field_annotation", "parse_field"]
