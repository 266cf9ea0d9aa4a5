"""The import wizard's suggestions: the field a column fills (saved mapping, label, synonym, label inside the
header) and the option a select's text means."""

from __future__ import annotations

import pytest

from engine.app import AppDefinition
from runtime.io.column_mapping import option_known, suggest_columns, suggest_option

FORM = AppDefinition.model_validate({
    "format": "tangram/app@1", "key": "t", "name": "t", "version": "1.0.0", "forms": [
        {"key": "customer", "name": "客户", "title_field": "name", "fields": [
            {"key": "name", "type": "text", "label": "客户名称"},
            {"key": "phone", "type": "phone", "label": "联系电话"},
            {"key": "email", "type": "email", "label": "电子邮箱"},
            {"key": "region", "type": "select", "label": "所属区域", "options": ["华东", "华南"]},
            {"key": "level", "type": "select", "label": "客户等级",
             "options": ["A", "B", {"value": "C", "label": "普通"}]},
            {"key": "credit_code", "type": "text", "label": "统一社会信用代码"},
            {"key": "note", "type": "textarea", "label": "备注"},
            {"key": "secret", "type": "text", "label": "内部备注"},
        ]}]}).form("customer")


@pytest.mark.parametrize(("header", "field", "how"), [
    ("客户名称*", "name", "label"),
    ("NAME", "name", "label"),  # the key, any case
    ("ｐｈｏｎｅ", "phone", "label"),  # full width folded
    ("手机", "phone", "synonym"),
    ("手机号码", "phone", "synonym"),
    ("联系方式", "phone", "synonym"),
    ("公司名称", "name", "synonym"),
    ("公司全称", "name", "synonym"),
    ("企业全称", "name", "synonym"),
    ("E-mail", "email", "synonym"),
    ("区域", "region", "synonym"),  # the field's key is in the group
    ("级别", "level", "synonym"),
    ("税号", "credit_code", "synonym"),
    ("说明", "note", "synonym"),
    ("客户名称（全称）", "name", "label"),  # what the brackets add is dropped
    ("所属区域/大区", "region", "similar"),  # the label inside the header
    ("内部编号", None, "none"),
    ("", None, "none"),
], ids=lambda v: str(v))
def test_a_header_suggests_its_field(header: str, field: str | None, how: str) -> None:
    [choice] = suggest_columns(FORM, [header])
    assert (choice.field, choice.how) == (field, how)


def test_the_saved_mapping_comes_first_and_a_field_is_filled_once() -> None:
    choices = suggest_columns(FORM, ["单位", "电话", "手机"], saved={"单位": "name"})
    assert [(c.field, c.how) for c in choices] == [("name", "saved"), ("phone", "synonym"), (None, "none")]


def test_hidden_fields_are_never_suggested() -> None:
    [choice] = suggest_columns(FORM, ["内部备注"], hidden={"secret"})
    assert choice.field != "secret"


@pytest.mark.parametrize(("text", "option"), [
    ("A类", "A"), ("b级", "B"), ("普通", "C"), ("A", "A"), ("华东区", "华东"), ("火星", None),
], ids=lambda v: str(v))
def test_a_select_text_suggests_the_option_it_means(text: str, option: str | None) -> None:
    assert suggest_option(FORM.by_key["level" if text not in ("华东区", "火星") else "region"], text) == option


def test_texts_a_select_reads_as_they_are_need_no_mapping() -> None:
    assert option_known(FORM.by_key["level"], "普通") and not option_known(FORM.by_key["level"], "A类")
