"""The two workbooks the import wizard hands out: a form's import template (its columns, each select's
options as a drop-down, an example row, each column's rules as a comment on its header) and an import's
error report (the rows that failed as they were uploaded, with a column saying what is wrong in each, so
the user fixes them there and imports the report again)."""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Any

from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from runtime.io.sheet_limits import SheetLimits
from runtime.io.spreadsheet import read_sheet, sheet_title, xlsx_bytes

PROBLEM_COLUMN = "错误说明"
EXAMPLES: dict[str, Any] = {
    "text": "示例文本", "textarea": "多行说明", "number": 10, "money": 12600.00, "percent": "15%",
    "date": "2026-01-31", "datetime": "2026-01-31 09:30", "boolean": "是", "phone": "13800138000",
    "email": "zhangsan@example.com", "url": "https://www.example.com", "user": "zhangsan",
    "users": "zhangsan，lisi", "department": "销售部", "address": "江苏省 苏州市 工业园区 星湖街 328 号",
    "rating": 4,
}


def template_bytes(form: FormDefinition, hidden: Collection[str] = ()) -> bytes:
    """The import template of a form: the writable fields the importer may see, required ones marked *."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    fields = [f for f in form.writable if f.key not in hidden]
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(form.name)
    lists = book.create_sheet("选项")  # each select's options, referenced by its drop-down
    lists.sheet_state = "hidden"
    listed = 0
    for column, field in enumerate(fields, start=1):
        letter = get_column_letter(column)
        head = sheet.cell(row=1, column=column, value=field.label + ("*" if field.required else ""))
        head.font = Font(bold=True, color="C00000" if field.required else "000000")
        head.fill = PatternFill("solid", fgColor="F2F2F2")
        head.comment = Comment(rules_text(form, field), "Tangram", width=260, height=160)
        example = sheet.cell(row=2, column=column, value=example_value(field))
        example.font = Font(italic=True, color="808080")
        sheet.column_dimensions[letter].width = max(12, min(40, len(field.label) * 2 + 6))
        options = [o.value for o in getattr(field, "options", None) or []] if field.type in (
            "select", "multi_select") else []
        if options:
            listed += 1
            source = get_column_letter(listed)
            lists.cell(row=1, column=listed, value=field.label)
            for row, option in enumerate(options, start=2):
                lists.cell(row=row, column=listed, value=option)
            rule = DataValidation(type="list", formula1=f"'选项'!${source}$2:${source}${len(options) + 1}",
                                  allow_blank=not field.required, showErrorMessage=field.type == "select")
            rule.error = f"请从下拉列表中选择{field.label}"
            rule.prompt = "、".join(options)[:250]
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}10000")
    if fields:
        sheet.cell(row=2, column=1).comment = Comment("第 2 行是示例，导入前请删除或改成真实数据", "Tangram")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rules_text(form: FormDefinition, field: FieldType) -> str:
    """A column's rules as its header comment says them."""
    kind = field.palette.zh if field.palette else field.type
    lines = [f"{field.label}（{kind}）"]
    if field.required:
        lines.append("必填")
    if field.unique:
        lines.append("不可重复")
    extra = field.model_dump()
    if extra.get("max_length"):
        lines.append(f"最多 {extra['max_length']} 个字")
    if extra.get("min") is not None:
        lines.append(f"最小 {extra['min']}")
    if extra.get("max") is not None:
        lines.append(f"最大 {extra['max']}")
    if field.type in ("select", "multi_select"):
        lines.append("可选：" + "、".join(o.value for o in field.options))  # type: ignore[attr-defined]
        if field.type == "multi_select":
            lines.append("多个用逗号或顿号隔开")
    if field.refers_to == "record":
        target = form.key if not hasattr(field, "target") else field.target  # type: ignore[attr-defined]
        lines.append(f"填写关联记录的名称（{target}），同名时请改填记录编号")
    elif field.refers_to == "user":
        lines.append("填写用户名或姓名")
    if field.type == "date":
        lines.append("日期格式：2026-01-31")
    if field.type == "datetime":
        lines.append("时间格式：2026-01-31 09:30")
    if field.help:
        lines.append(field.help)
    lines += [rule.message for rule in field.rules]
    return "\n".join(lines)


def example_value(field: FieldType) -> Any:
    if field.type in ("select", "multi_select"):
        return field.options[0].value  # type: ignore[attr-defined]
    if field.refers_to == "record":
        return "（关联记录名称）"
    return EXAMPLES.get(field.type, EXAMPLES["text"])


def error_report_bytes(data: bytes, filename: str, limits: SheetLimits, sheet: int, header_row: int,
                       problems: dict[int, list[str]], title: str) -> bytes:
    """The uploaded rows that failed (`problems`: spreadsheet row → what is wrong), cells as uploaded, under
    the uploaded header, with a last column saying what is wrong."""
    read = read_sheet(data, filename, limits, sheet=sheet, header_row=header_row)
    kept = [i for i, text in enumerate(read.header) if text != PROBLEM_COLUMN]  # a report imported again
    rows = []
    for offset, row in enumerate(read.rows):
        number = offset + read.first_row
        if number in problems:
            rows.append([row[i] if i < len(row) else None for i in kept] + ["；".join(problems[number])])
    return xlsx_bytes([read.header[i] for i in kept] + [PROBLEM_COLUMN], rows, title)


__all__ = ["template_bytes", "error_report_bytes", "rules_text", "example_value", "PROBLEM_COLUMN"]
