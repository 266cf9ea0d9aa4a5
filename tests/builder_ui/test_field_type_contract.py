"""Every registered field type carries what the UI needs, found through the type: a palette entry, an
input template (or it is computed), a list cell, a filter widget, a section in docs/field-types.md and
samples for the engine's contract tests. A type that lacks one fails here, by name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from jinja2 import TemplateNotFound
from pydantic import ValidationError

from builder_ui.cells import CELLS
from builder_ui.filter_widgets import WIDGETS
from builder_ui.rendering import env
from engine.forms.fields import FieldType, field_types, parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext
from engine.forms.fields.palette import GROUPS, Palette
from tests.engine.test_field_types import DOCS, SAMPLES


def _has_template(name: str) -> bool:
    try:
        env.get_template(name)
    except TemplateNotFound:
        return False
    return True


def missing(cls: type[FieldType]) -> list[str]:
    """What the UI would lack for this type; empty when it has everything."""
    name = cls.type_name()
    gaps = []
    entry = cls.palette
    if entry is None or not (entry.zh and entry.en and entry.icon) or entry.group not in GROUPS:
        gaps.append("palette entry (zh, en, icon, a group of GROUPS)")
    elif not entry.from_app:
        try:  # dropped on the canvas, the new field must be a valid definition
            parse_field({"key": "f", "type": name, "label": entry.zh, **entry.starter})
        except ValidationError:
            gaps.append("palette starter options that make a valid field")
    if not cls.computed and not _has_template(f"records/inputs/{name}.html"):
        gaps.append(f"input template records/inputs/{name}.html")
    if cls.list_cell not in CELLS:
        gaps.append("list cell (a renderer of builder_ui/cells.py CELLS)")
    if cls.filter_widget not in WIDGETS:
        gaps.append("filter widget (one of builder_ui/filter_widgets.py WIDGETS)")
    if not re.search(rf"^## {name}$", DOCS, re.MULTILINE):
        gaps.append(f"section '## {name}' in docs/field-types.md")
    if name not in SAMPLES:
        gaps.append("samples in tests/engine/test_field_types.py SAMPLES")
    return gaps


TYPES = field_types.keys()


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_every_type_carries_what_the_ui_needs(type_name: str) -> None:
    assert missing(field_types.get(type_name)) == []


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_every_input_type_renders_its_input_and_a_cell(type_name: str) -> None:
    cls = field_types.get(type_name)
    options, inputs = SAMPLES[type_name]
    field = parse_field({"key": "f", "type": type_name, "label": "字段", **options})
    value = field.normalize(inputs[0], ValueContext(LITERAL_MOMENT))
    page = {"departments": [], "label": lambda f: f.label, "when": str}  # what render() gives every page
    macro = env.get_template("records/_inputs.html").make_module(page)
    html = str(macro.input(field, None, [], lambda f: [], lambda options: [], lambda f, v: "", lambda w: w))
    assert 'id="f-f"' in html, "the input is what the field's <label for> names"
    if not cls.computed:
        assert 'name="f"' in html or 'data-name="f"' in html, "record_form.js finds the input by the field's key"
    assert isinstance(CELLS[cls.list_cell](field, value, "是", "否", None), str)


class FakeField(FieldType):
    """A type registered the way docs/field-types.md's first step says, and no further."""

    type: Literal["fake"]

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        return str(value)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "string"}


@pytest.fixture(autouse=True)
def restore_registry() -> Iterator[None]:
    before = field_types.keys()
    yield
    for key in field_types.keys():
        if key not in before:
            field_types.unregister(key)


def test_a_type_registered_without_its_ui_fails_the_contract_naming_each_part() -> None:
    field_types.register("fake", FakeField)
    gaps = missing(field_types.get("fake"))
    assert [g.split(" (")[0].split(" records/")[0] for g in gaps] == [
        "palette entry", "input template", "section '## fake' in docs/field-types.md",
        "samples in tests/engine/test_field_types.py SAMPLES"]


def test_a_type_naming_an_unknown_cell_or_widget_or_invalid_starter_fails_the_contract() -> None:
    class Odd(FakeField):
        palette = Palette("怪", "Odd", "basic", "?", {"colour": "red"})
        list_cell = "sparkles"
        filter_widget = "slider"
        computed = True  # computed: the shared read-only input serves, no template of its own needed

    gaps = missing(Odd)
    assert gaps[:3] == ["palette starter options that make a valid field",
                        "list cell (a renderer of builder_ui/cells.py CELLS)",
                        "filter widget (one of builder_ui/filter_widgets.py WIDGETS)"]


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_a_sub_table_takes_a_column_of_exactly_the_types_that_say_so(type_name: str) -> None:
    options, _ = SAMPLES[type_name]
    column = {"key": "c", "type": type_name, "label": "列", **options}
    try:
        parse_field({"key": "lines", "type": "sub_table", "label": "明细", "fields": [column]})
        accepted = True
    except ValidationError as e:
        assert "sub_table cannot hold" in str(e)
        accepted = False
    assert accepted == field_types.get(type_name).in_sub_table  # the builder offers those (palette_entries)


@pytest.mark.parametrize("type_name", [t for t in TYPES if field_types.get(t).in_sub_table], ids=str)
def test_every_sub_table_column_type_renders_an_input_record_form_js_reads(type_name: str) -> None:
    options, inputs = SAMPLES[type_name]
    column = {"key": "c", "type": type_name, "label": "列", **options}
    table = parse_field({"key": "lines", "type": "sub_table", "label": "明细", "fields": [column]})
    value = table.normalize([{"c": inputs[0]}], ValueContext(LITERAL_MOMENT))
    page = {"departments": [], "label": lambda f: f.label, "when": str}
    macro = env.get_template("records/_inputs.html").make_module(page)
    html = str(macro.input(table, value, [], lambda f: [], lambda options: [], lambda f, v: "", lambda w: w))
    row = html.split('class="template"')[0]  # the stored row, before the blank template row
    if field_types.get(type_name).computed:
        assert 'class="computed" data-sub="c"' in row
    else:
        assert re.search(r'<(input|select|div)[^>]*data-sub="c"', row), row


def test_a_rating_column_is_picked_from_its_stars_with_the_stored_one_selected() -> None:
    table = parse_field({"key": "lines", "type": "sub_table", "label": "明细",
                         "fields": [{"key": "score", "type": "rating", "label": "评分", "max": 3}]})
    macro = env.get_template("records/_inputs.html").make_module({"departments": [], "label": lambda f: f.label})
    html = str(macro.input(table, [{"score": 2}], [], lambda f: [], lambda o: [], lambda f, v: "", lambda w: w))
    row = html.split('class="template"')[0]
    assert re.findall(r'<option value="(\d)"', row) == ["1", "2", "3"]
    assert '<option value="2" selected>★★</option>' in row
