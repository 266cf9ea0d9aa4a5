"""The value box of a list filter, by the name a field type gives (`FieldType.filter_widget`).

A widget is the attributes list.js puts on the condition row's value input when the field is chosen,
so a type picks how its filter value is typed without a branch in the script."""

from __future__ import annotations

from engine.forms.fields import FieldType

WIDGETS: dict[str, dict[str, str]] = {
    "text": {"inputmode": "text", "placeholder": ""},
    "number": {"inputmode": "decimal", "placeholder": ""},
    "date": {"inputmode": "text", "placeholder": "2026-11-24"},
    "datetime": {"inputmode": "text", "placeholder": "2026-11-24 08:30"},
}
"""name -> attributes of the value input (each widget sets every attribute any widget sets, so that
changing the field resets what the previous one set)."""


def widget_of(field: FieldType) -> dict[str, str]:
    """The value input's attributes for a filter on `field`."""
    return WIDGETS[type(field).filter_widget]
