"""Which field each column of an uploaded sheet fills, suggested for the import wizard: the mapping saved for
the form last time, then the field's label or key, then a small table of the words people put in their own
spreadsheets for the same thing (手机 for 联系电话), then a label inside the header (客户名称（全称）).

Select values are suggested the same way (A类 → A: the option the cell names once its 类/级/等 is dropped),
and every column no field takes is shown as ignored, never silently dropped. Everything here is a
suggestion: the user edits it in the wizard (or passes `--map` to the CLI) before anything is checked."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import BadQuery
from engine.forms.fields.base import FieldType
from engine.forms.model import FormDefinition
from runtime.io.spreadsheet import clean_header

SYNONYMS: tuple[frozenset[str], ...] = tuple(frozenset(group) for group in (
    {"联系电话", "电话", "手机", "手机号", "手机号码", "移动电话", "联系方式", "联系手机", "tel", "phone", "mobile"},
    {"电子邮箱", "邮箱", "邮件", "电子邮件", "email", "e-mail", "mail"},
    {"客户名称", "客户", "客户名", "客户全称", "公司", "公司名称", "公司全称", "单位", "单位名称", "单位全称", "企业",
     "企业名称", "企业全称", "机构名称", "customer", "company"},
    {"联系人", "联系人姓名", "姓名", "contact"},
    {"地区", "区域", "大区", "所在地区", "region", "area"},
    {"地址", "详细地址", "通讯地址", "联系地址", "address"},
    {"等级", "级别", "客户等级", "客户级别", "分级", "level", "grade"},
    {"金额", "成交金额", "合同金额", "订单金额", "amount"},
    {"负责人", "跟进人", "销售", "业务员", "客户经理", "owner"},
    {"统一社会信用代码", "社会信用代码", "信用代码", "税号", "纳税人识别号"},
    {"行业", "所属行业", "industry"},
    {"备注", "说明", "附注", "note", "notes", "remark", "remarks", "memo"},
))
BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
OPTION_NOISE = re.compile(r"(类|级|等|型|客户|档)$")


@dataclass(frozen=True)
class ColumnChoice:
    """One column of the sheet and the field it fills (None: ignored), with how that was decided."""

    index: int
    header: str
    field: str | None
    how: str  # saved | label | synonym | similar | none | chosen

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "header": self.header, "field": self.field, "how": self.how}


def _fold(text: str) -> str:
    return clean_header(text).lower()


def _bare(text: str) -> str:
    """The header without what its brackets add (金额（元） → 金额, 电话[必填] → 电话)."""
    return BRACKETED.sub("", _fold(text)).strip() or _fold(text)


def _synonyms(text: str) -> frozenset[str]:
    bare = _bare(text)
    return next((group for group in SYNONYMS if bare in group), frozenset())


def suggest_columns(form: FormDefinition, header: list[str], saved: Mapping[str, str] | None = None,
                    hidden: Collection[str] = ()) -> list[ColumnChoice]:
    """The suggested field of each column; each field is filled by one column at most (the first that
    names it), and `hidden` fields (the importer may not see them) are never suggested."""
    fields = [f for f in form.writable if f.key not in hidden]
    by_key = {f.key: f for f in fields}
    taken: set[str] = set()
    choices = []
    for index, text in enumerate(header):
        key, how = _suggest(fields, by_key, text, saved or {})
        if key is not None and key in taken:
            key, how = None, "none"
        if key is not None:
            taken.add(key)
        choices.append(ColumnChoice(index, text, key, how))
    return choices


def suggest_header_row(form: FormDefinition, top_rows: list[list[str]], saved: Mapping[str, str] | None = None,
                       hidden: Collection[str] = ()) -> int:
    """The row (1-based) of `top_rows` that names the most fields: a title block above the header (客户导出
    2026, a letterhead) is common in exported sheets. Row 1 unless a later row names more."""
    named = [sum(c.field is not None for c in suggest_columns(form, [clean_header(t) for t in row], saved, hidden))
             for row in top_rows]
    return 1 + named.index(max(named)) if named and max(named) > named[0] else 1


def _suggest(fields: list[FieldType], by_key: dict[str, FieldType], text: str,
             saved: Mapping[str, str]) -> tuple[str | None, str]:
    folded = _fold(text)
    if not folded:
        return None, "none"
    if saved.get(folded) in by_key:
        return saved[folded], "saved"
    for f in fields:
        if folded in (_fold(f.label), f.key.lower()) or _bare(text) == _fold(f.label):
            return f.key, "label"
    group = _synonyms(text)
    for f in fields:
        if group and (_fold(f.label) in group or f.key.lower() in group):
            return f.key, "synonym"
    bare = _bare(text)
    inside = [f for f in fields if len(_fold(f.label)) >= 2 and (_fold(f.label) in bare or bare in _fold(f.label))]
    return (inside[0].key, "similar") if len(inside) == 1 else (None, "none")


def saved_columns(choices: list[ColumnChoice]) -> dict[str, str]:
    """The mapping as it is saved for the form: folded header text → field key, the ignored ones left out."""
    return {_fold(c.header): c.field for c in choices if c.field}


def columns_from(form: FormDefinition, chosen: Mapping[int, str | None], header: list[str],
                 hidden: Collection[str] = ()) -> list[FieldType | None]:
    """The user's mapping (column index → field key or None) as the field of each column; an unknown or
    repeated field is a BadQuery naming the column."""
    fields = {f.key: f for f in form.writable if f.key not in hidden}
    columns: list[FieldType | None] = []
    seen: dict[str, int] = {}
    for index in range(len(header)):
        key = chosen.get(index)
        if key is None:
            columns.append(None)
            continue
        if key not in fields:
            raise BadQuery(f"第 {index + 1} 列：表单没有可填写的字段 {key}",
                           f"column {index + 1}: {key!r} is not a writable field", field=f"columns.{index}")
        if key in seen:
            raise BadQuery(f"第 {index + 1} 列与第 {seen[key] + 1} 列对应同一字段 {key}",
                           f"columns {seen[key] + 1} and {index + 1} both fill {key!r}", field=f"columns.{index}")
        seen[key] = index
        columns.append(fields[key])
    return columns


def suggest_option(field: Any, text: str) -> str | None:
    """The option of a select a cell most likely means (A类 → A, 重要客户 → 重要), or None."""
    names = {_fold(o.value): o.value for o in field.options} | {_fold(o.label): o.value
                                                                for o in field.options if o.label}
    folded = _fold(text)
    if folded in names:
        return names[folded]
    bare = OPTION_NOISE.sub("", folded)
    if bare in names:
        return names[bare]
    inside = {v for n, v in names.items() if len(n) >= 2 and (n in folded or folded in n)}
    return inside.pop() if len(inside) == 1 else None


def option_known(field: Any, text: str) -> bool:
    """Does the select read this cell as it is (an option's value or label)?"""
    names = {o.value for o in field.options} | {o.label for o in field.options if o.label}
    parts = [p.strip() for p in re.split(r"[,，;；、\n]+", text) if p.strip()]
    return all(p in names for p in parts) if parts else True


__all__ = ["ColumnChoice", "SYNONYMS", "suggest_columns", "suggest_header_row", "saved_columns", "columns_from",
           "suggest_option", "option_known"]
