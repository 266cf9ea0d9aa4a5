"""attachment: metadata of uploaded files, limited in number and type; imported back from the cell of an export."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
PHOTO = {"id": "f1", "name": "现场照片.PNG", "size": 2048, "content_type": "image/png"}
PDF = {"id": "f2", "name": "合同.pdf", "size": 90000, "content_type": "application/pdf"}
FILES = parse_field({"key": "files", "type": "attachment", "label": "合同附件", "max_files": 2,
                     "accept": ["image/*", ".pdf"]})
SINGLE = parse_field({"key": "photo", "type": "attachment", "label": "照片", "multiple": False})


def test_attachment_single_file_is_stored_as_a_one_item_list() -> None:
    assert SINGLE.normalize(PHOTO, CTX) == [PHOTO] and FILES.normalize([PHOTO, PDF], CTX) == [PHOTO, PDF]


def test_attachment_fills_a_missing_content_type() -> None:
    assert SINGLE.normalize({"id": "f9", "name": "说明", "size": 1}, CTX)[0]["content_type"] == "application/octet-stream"


@pytest.mark.parametrize(("field", "bad", "message"), [
    ("single", [PHOTO, PDF], "最多 1 个文件"),
    ("files", [PHOTO, PDF, {**PHOTO, "id": "f3"}], "最多 2 个文件"),
    ("files", [{**PDF, "name": "a.exe", "content_type": "application/x-msdownload"}], "不接受文件“a.exe”"),
    ("files", [{"id": "f1", "name": "a.png"}], "{id, name, size, content_type}"),
    ("files", [{**PHOTO, "size": -1}], "{id, name, size, content_type}"),
    ("files", "现场照片.png", "附件不能从文本导入"),
], ids=["single", "max-files", "accept", "no-size", "negative-size", "text"])
def test_attachment_limits_number_type_and_shape(field: str, bad: object, message: str) -> None:
    with pytest.raises(FieldValueError, match=message):
        (SINGLE if field == "single" else FILES).normalize(bad, CTX)


def test_attachment_accept_matches_extensions_case_insensitively() -> None:
    pdf_only = parse_field({"key": "f", "type": "attachment", "label": "附件", "accept": [".png"]})
    assert pdf_only.normalize(PHOTO, CTX) == [PHOTO]  # 现场照片.PNG


def test_attachment_refers_to_its_files() -> None:
    assert FILES.refers_to == "file" and FILES.references([PHOTO, PDF]) == ["f1", "f2"]


def test_attachment_cell_names_each_file_with_its_id_and_reads_back_the_ids() -> None:
    cell = FILES.to_cell([PHOTO, {**PDF, "name": "合同[v2]，终.pdf"}])
    assert cell == "现场照片.PNG [file:f1]，合同[v2]，终.pdf [file:f2]"
    # the runtime completes each from its file store (runtime/io/records.py)
    assert FILES.from_cell(cell) == [{"id": "f1", "name": "现场照片.PNG"}, {"id": "f2", "name": "合同[v2]，终.pdf"}]


@pytest.mark.parametrize("cell", ["现场照片.PNG，合同.pdf", "现场照片.PNG [file:f1] 多余的字"], ids=["names-only", "extra-text"])
def test_attachment_cell_of_names_alone_cannot_be_imported(cell: str) -> None:
    with pytest.raises(FieldValueError, match="附件不能从文件名导入"):
        FILES.from_cell(cell)
    assert FILES.from_cell("") == "" and FILES.from_cell(None) is None  # blank cells stay blank
