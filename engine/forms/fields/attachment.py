"""attachment: uploaded files (合同附件). Upload with POST /api/v1/files, then store the returned metadata."""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.errors import FieldValueError
from engine.forms.fields.base import FieldType, ValueContext
from engine.forms.fields.palette import Palette

FILE_MARK = "file:"
"""How a spreadsheet cell names a stored file: `合同.pdf [file:<id>]`."""
_NAMED = re.compile(r"[\s,，;；、]*(?P<name>[^\n]*?)\s*\[" + FILE_MARK + r"(?P<id>[A-Za-z0-9_-]{1,64})\]")


class FileRef(BaseModel):
    """What a record keeps of a file; the bytes stay in the file store."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)
    content_type: str = "application/octet-stream"


class AttachmentField(FieldType):
    """Files, optionally limited in number and type (`accept`: "image/*", ".pdf")."""

    type: Literal["attachment"]
    multiple: bool = True
    max_files: int | None = Field(default=None, ge=1)
    accept: list[str] = []

    storage = "json"
    value_type = None
    sortable = False
    refers_to = "file"
    filter_ops = ("blank", "not_blank")
    palette = Palette("附件", "Attachment", "more", "⇪")

    def normalize(self, value: Any, ctx: ValueContext) -> Any:
        if isinstance(value, str):
            raise FieldValueError("附件不能从文本导入，请上传文件", "attachments cannot be imported from text; upload them")
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list | tuple):
            raise FieldValueError("附件应为文件列表", "expected a list of files")
        try:
            files = [FileRef.model_validate(i).model_dump() for i in items]
        except ValueError:
            raise FieldValueError("附件应为上传接口返回的 {id, name, size, content_type}",
                                  "each file is the {id, name, size, content_type} the upload returned") from None
        limit = 1 if not self.multiple else self.max_files
        if limit is not None and len(files) > limit:
            raise FieldValueError(f"最多 {limit} 个文件", f"at most {limit} file(s)")
        for f in files:
            if self.accept and not any(self._accepts(f, pattern) for pattern in self.accept):
                raise FieldValueError(f"不接受文件“{f['name']}”的类型（可用：{'、'.join(self.accept)}）",
                                      f"{f['name']!r} is not an accepted type ({', '.join(self.accept)})")
        return files

    @staticmethod
    def _accepts(file: dict[str, Any], pattern: str) -> bool:
        if pattern.startswith("."):
            return bool(file["name"].lower().endswith(pattern.lower()))
        return fnmatch.fnmatch(file["content_type"], pattern)

    def json_schema(self) -> dict[str, Any]:
        return {"type": "array", "items": FileRef.model_json_schema()}

    def references(self, value: Any) -> list[Any]:
        return [f["id"] for f in value]

    def to_cell(self, value: Any) -> Any:
        """`合同.pdf [file:<id>]，…`: the names people read, each with the id that brings it back."""
        return "，".join(f"{f['name']} [{FILE_MARK}{f['id']}]" for f in value)

    def from_cell(self, cell: Any) -> Any:
        """The files an exported cell names, as `{"id", "name"}`: the runtime completes each from its
        file store (size, type) or reports the id unknown. Names alone cannot bring files back."""
        if not (isinstance(cell, str) and cell.strip()):
            return cell
        named = [{"id": m["id"], "name": m["name"].strip()} for m in _NAMED.finditer(cell)]
        if not named or _NAMED.sub("", cell).strip(" ,，;；、\n"):
            raise FieldValueError("附件不能从文件名导入，请上传文件（导出的“名称 [file:编号]”可导回）",
                                  "attachments cannot be imported from file names; upload the files "
                                  "(an export's \"name [file:id]\" imports back)")
        return named
