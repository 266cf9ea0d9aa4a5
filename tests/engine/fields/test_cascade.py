"""cascade: a path down an option tree, stored as the list of values from the root."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
TREE = [
    {"value": "制造业", "label": "制造", "children": ["汽车零配件", {"value": "电子电器", "label": "电子/电器"}]},
    {"value": "IT/软件", "children": ["云-服务", "SaaS"]},
    "B2B-SaaS",
    "金融",
]
INDUSTRY = parse_field({"key": "industry", "type": "cascade", "label": "所属行业", "options": TREE})
LEAF = parse_field({"key": "industry", "type": "cascade", "label": "所属行业", "options": TREE, "leaf_only": True})


@pytest.mark.parametrize(("given_", "stored"), [
    ("制造业/汽车零配件", ["制造业", "汽车零配件"]),
    ("制造业 / 汽车零配件", ["制造业", "汽车零配件"]),
    ("制造业-汽车零配件", ["制造业", "汽车零配件"]),
    ("制造业／汽车零配件", ["制造业", "汽车零配件"]),  # full-width slash
    ("制造 > 电子/电器", ["制造业", "电子电器"]),  # labels, one holding a slash
    (["制造业", "汽车零配件"], ["制造业", "汽车零配件"]),
    ("制造业", ["制造业"]),
    ("B2B-SaaS", ["B2B-SaaS"]),  # the whole text is a value: "-" does not split it
    ("IT/软件/云-服务", ["IT/软件", "云-服务"]),
], ids=str)
def test_cascade_reads_paths_typed_with_any_separator(given_: object, stored: list[str]) -> None:
    assert INDUSTRY.normalize(given_, CTX) == stored


@pytest.mark.parametrize(("bad", "message"), [
    ("制造业/食品", "“食品”不是“制造业”下的选项"),
    ("农业", "“农业”不是“第一级”下的选项"),
    (["金融", "银行"], "“银行”不是“金融”下的选项"),
], ids=str)
def test_cascade_names_the_level_where_the_path_goes_wrong(bad: object, message: str) -> None:
    with pytest.raises(FieldValueError, match=message):
        INDUSTRY.normalize(bad, CTX)


def test_cascade_leaf_only_refuses_a_path_that_stops_early() -> None:
    assert LEAF.normalize("金融", CTX) == ["金融"]
    with pytest.raises(FieldValueError, match="请选到最后一级"):
        LEAF.normalize("制造业", CTX)


@pytest.mark.parametrize("options", [[], ["金融", "金融"], [{"value": "制造业", "children": ["汽车", "汽车"]}]],
                         ids=["empty", "dup-root", "dup-child"])
def test_cascade_refuses_empty_or_repeated_options(options: list[object]) -> None:
    with pytest.raises(ValidationError):
        parse_field({"key": "i", "type": "cascade", "label": "行业", "options": options})


@pytest.mark.parametrize("path", [["制造业", "电子电器"], ["IT/软件", "云-服务"], ["B2B-SaaS"]], ids=str)
def test_cascade_cell_joins_with_a_slash_and_reads_back(path: list[str]) -> None:
    assert INDUSTRY.normalize(INDUSTRY.from_cell(INDUSTRY.to_cell(path)), CTX) == path


def test_cascade_json_schema_lists_the_paths_it_can_store() -> None:
    schema = INDUSTRY.json_schema()
    paths = schema["x-tangram-paths"]
    assert ["制造业"] in paths and ["制造业", "电子电器"] in paths and ["IT/软件", "云-服务"] in paths
    assert ["制造业"] not in LEAF.json_schema()["x-tangram-paths"]  # leaf_only: a path stops at a leaf
    assert all(INDUSTRY.normalize(p, CTX) == p for p in paths)
    assert "enum" not in schema  # no enum of arrays: client generators cannot type one
    assert {v for p in paths for v in p} == set(schema["items"]["enum"]) and schema["maxItems"] == 2


def test_a_large_cascade_json_schema_lists_the_values_instead() -> None:
    wide = parse_field({"key": "region", "type": "cascade", "label": "地区", "options": [
        {"value": f"省{i}", "children": [f"市{i}-{j}" for j in range(30)]} for i in range(30)]})
    schema = wide.json_schema()
    assert "x-tangram-paths" not in schema and len(schema["items"]["enum"]) == 30 + 900
