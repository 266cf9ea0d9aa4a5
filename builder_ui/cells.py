"""How a stored value reads in a list cell, a card or a record page (display only: no rules here).

A field type names its renderer (`FieldType.list_cell`, a key of CELLS). Most use `text`: relations arrive
from record_json as {id, title}, everything else goes through the type's own `to_cell` (the spreadsheet
export's text), so a type added to the engine shows without a change here unless it wants its own look."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from engine.forms.fields import FieldType

SYSTEM_COLUMNS = ("id", "owner", "created_at", "updated_at")


def cell_text(field: FieldType | None, value: Any, yes: str = "是", no: str = "否", zone: tzinfo | None = None) -> str:
    """The value as one line of text ("" for blank); timestamps in `zone` when given. The field's type names
    its renderer (`FieldType.list_cell`, one of CELLS)."""
    if value is None or value == "" or value == []:
        return ""
    if field is None:
        return _text(None, value, yes, no, zone)
    return CELLS[type(field).list_cell](field, value, yes, no, zone)


def _text(field: FieldType | None, value: Any, yes: str, no: str, zone: tzinfo | None) -> str:
    """The spreadsheet text of the value (the type's `to_cell`): what most types show."""
    if isinstance(value, dict) and "title" in value:
        return str(value["title"])
    if isinstance(value, list) and value and isinstance(value[0], dict) and "title" in value[0]:
        return "、".join(str(v["title"]) for v in value)
    if isinstance(value, bool):
        return yes if value else no
    if zone is not None and isinstance(value, str) and value.endswith("Z") and "T" in value:
        return local_time(value, zone)
    if field is not None:
        try:
            text = field.to_cell(value)
        except Exception:  # display must never fail a page over one odd stored value
            text = value
        if isinstance(text, bool):
            return yes if text else no
        return "" if text is None else str(text)
    if isinstance(value, str) and len(value) >= 19 and value[10] == "T":
        return value[:16].replace("T", " ")  # system timestamps: minutes are enough in a list
    return str(value)


def _rows(field: FieldType | None, value: Any, yes: str, no: str, zone: tzinfo | None) -> str:
    """A sub_table's rows as "CRM 专业版 2 1000；实施服务 10 2500": each row's cells (relations by title), not JSON."""
    if not isinstance(value, list):
        return _text(field, value, yes, no, zone)
    columns = getattr(field, "fields", [])
    return "；".join(" ".join(t for c in columns if (t := cell_text(c, row.get(c.key), yes, no, zone)))
                    for row in value if isinstance(row, dict))


def _stars(field: FieldType | None, value: Any, yes: str, no: str, zone: tzinfo | None) -> str:
    """A rating as ★★★☆☆: the value's stars filled, the rest of the field's `max` hollow."""
    if not isinstance(value, int) or isinstance(value, bool):
        return _text(field, value, yes, no, zone)
    most = max(getattr(field, "max", value) or value, value)
    return "★" * value + "☆" * (most - value)


Renderer = Callable[[FieldType | None, Any, str, str, tzinfo | None], str]
CELLS: dict[str, Renderer] = {"text": _text, "rows": _rows, "stars": _stars}
"""The list cell renderers by name, as a field type names its own (`FieldType.list_cell`)."""


def option_colors(field: FieldType | None) -> dict[str, str]:
    """value -> colour for select fields whose options have one."""
    options = getattr(field, "options", None) or []
    return {o.value: o.color for o in options if getattr(o, "color", None)}


def option_values(field: FieldType) -> list[tuple[str, str]]:
    """(value, label) of a select / multi_select field's options."""
    pairs = []
    for option in getattr(field, "options", None) or []:
        if isinstance(option, str):
            pairs.append((option, option))
        else:
            pairs.append((option.value, getattr(option, "label", None) or option.value))
    return pairs


def local_time(text: str | None, zone: tzinfo) -> str:
    """An API timestamp ("2026-11-24T08:00:00Z") as local minutes ("2026-11-24 16:00")."""
    if not text:
        return ""
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text
