"""Masks (脱敏) per field type: every type masks every sample so that the value cannot be read back, the
text-like types keep a recognisable part, and a role may grant `masked` between hidden and read."""

from __future__ import annotations

from typing import Any

import pytest

from engine.app_check import parse_app, validate_app
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext
from engine.forms.masks import mask_email, mask_phone, mask_text
from engine.permissions import rights_of
from tests.engine.test_field_types import SAMPLES, TYPES, _field
from tests.factories import repair


@pytest.mark.parametrize("type_name", TYPES, ids=TYPES)
def test_every_type_masks_its_values_so_they_cannot_be_read_back(type_name: str) -> None:
    field = _field(type_name)
    assert field.mask(None) is None and field.mask("") is None  # blank stays blank
    for given in SAMPLES[type_name][1]:
        value = field.normalize(given, ValueContext(LITERAL_MOMENT))
        masked = field.mask(value)
        assert isinstance(masked, str) and "*" in masked
        assert masked != value and str(value) not in masked


@pytest.mark.parametrize(("phone", "shown"), [
    ("13800138000", "138****8000"),  # a mainland mobile: the first 3 and last 4 digits
    ("19912345678", "199****5678"),
    ("0755-12345678", "****5678"),  # a landline: its last 4 digits, not the extension's
    ("0755-12345678-123", "****5678"),
    ("+14155552671", "****2671"),
    ("+123", "****"),  # too short to show any of it
], ids=["mobile", "mobile-199", "landline", "extension", "e164", "short"])
def test_phone_masks(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown


@pytest.mark.parametrize(("text", "shown"), [
    ("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧***"), ("诸葛孔明先生", "诸***"),  # at most 3 stars
    ("王", "*"), ("110101199003071234", "110****1234"), ("91310000MA1FL0AB2C", "913****AB2C"),
], ids=["two", "three", "four", "long", "one", "id-card", "credit-code"])
def test_text_masks_keep_the_first_character_or_an_ids_ends(text: str, shown: str) -> None:
    assert mask_text(text) == shown


def test_email_masks_keep_the_first_letter_and_the_domain() -> None:
    assert mask_email("wang.li@example.com") == "w****@example.com"
    assert mask_email("not-an-email") == "n***"


def test_masked_is_an_access_level_between_hidden_and_read() -> None:
    roles = [{"key": "a", "name": "甲", "permissions": {"ticket": {"read": "all", "fields": {"due": "masked",
                                                                                          "summary": "hidden"}}}},
             {"key": "b", "name": "乙", "permissions": {"ticket": {"read": "all", "fields": {"summary": "masked",
                                                                                          "due": "read"}}}}]
    definition: dict[str, Any] = repair() | {"roles": roles}
    assert validate_app(definition) == []
    app = parse_app(definition)
    alone = rights_of(app.form("ticket"), [app.roles_by_key["a"]])
    assert alone.masked_fields() == {"due"} and "summary" in alone.hidden_fields()
    both = rights_of(app.form("ticket"), app.roles)  # the most open access any role gives wins
    assert both.access("summary") == "masked" and both.access("due") == "read"
    definition["roles"][0]["permissions"]["ticket"]["fields"]["due"] = "blurred"
    assert any("due" in i.path for i in validate_app(definition))
