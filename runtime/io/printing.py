"""Printed documents: records filled into a form's print template as one HTML document (A4 @page CSS, header
and footer on every page, page numbers), which the print view shows and runtime/io/pdf.py turns into a PDF.

Each record is printed as its reader sees it through the permission gate (hidden fields empty, masked ones
masked, related titles only where readable); the logo and seal are embedded as data: URIs, so the document
needs nothing from outside itself and the reader needs no right on the uploaded image files."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from engine.errors import BadQuery, NotFound
from engine.expr.evaluate import EvalContext
from engine.forms.expressions import sub_table_form
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.printing.model import PrintTemplate
from engine.printing.template import MAX_HOPS, PrintRecord, RelatedRecord, render, template_paths
from runtime.db.tables import live, records
from runtime.io.pdf import CHINESE_FONTS
from runtime.permissions.check import FormGate, Guard
from runtime.records.context import Change
from runtime.records.files import file_path, get_file
from runtime.schemas.records import shown_records

MAX_IMAGE_BYTES = 2 << 20  # a logo or a seal; a larger file is left out of the print
IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MARGINS = "20mm 16mm 18mm"

PAGE_CSS = """
@page { size: %(paper)s %(orientation)s; margin: %(margins)s;
  @top-center { content: element(print-header); width: 100%%; vertical-align: bottom; }
  @bottom-left { content: element(print-footer); }
  @bottom-right { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"; font-size: 8.5pt; color: #555; } }
html { font-family: %(fonts)s; font-size: 10.5pt; color: #111; line-height: 1.5; }
.print-header { position: running(print-header); font-size: 9pt; }
.print-footer { position: running(print-footer); font-size: 8.5pt; color: #444; }
.print-record + .print-record { break-before: page; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; letter-spacing: 2pt; }
table { border-collapse: collapse; width: 100%%; margin: 2mm 0; }
th, td { border: 0.6pt solid #333; padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
td.num, th.num { text-align: right; }
table.plain td, table.plain th { border: none; padding: 0.6mm 1mm; }
img.logo { max-height: 16mm; max-width: 60mm; }
img.seal { width: 40mm; height: 40mm; object-fit: contain; opacity: 0.85; }
@media screen {
  body { background: #e5e7eb; margin: 0; }
  .print-record { background: #fff; width: %(width)s; min-height: %(height)s; margin: 8mm auto; padding: %(margins)s;
                  box-sizing: border-box; box-shadow: 0 1px 4px rgba(0,0,0,.2); }
  .print-record { display: flex; flex-direction: column; }
  .print-body { order: 2; flex: 1; }
  .print-footer { order: 3; margin-top: 8mm; border-top: 0.5pt solid #ccc; padding-top: 2mm; }
}
"""
SIZES = {
    ("A4", "portrait"): ("210mm", "297mm"),
    ("A4", "landscape"): ("297mm", "210mm"),
    ("A5", "portrait"): ("148mm", "210mm"),
    ("A5", "landscape"): ("210mm", "148mm"),
}


def image_uri(conn: Connection, data_dir: Path, file_id: str) -> str | None:
    """An uploaded PNG, JPEG or GIF as a data: URI (the bytes decide the type); None for anything else."""
    try:
        meta = get_file(conn, file_id)
        path = file_path(data_dir, meta.id)
        if meta.size > MAX_IMAGE_BYTES or not path.is_file():
            return None
        content = path.read_bytes()
    except Exception:  # a missing or unreadable image leaves its place empty, never fails the print
        return None
    kind = next((t for magic, t in IMAGE_MAGIC.items() if content.startswith(magic)), None)
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}" if kind else None


def template_images(conn: Connection, data_dir: Path, template: PrintTemplate) -> dict[str, str]:
    images = {}
    for name in ("logo", "seal"):
        ref = getattr(template, name)
        uri = image_uri(conn, data_dir, ref.id) if ref is not None else None
        if uri:
            images[name] = uri
    return images


def _system(row: Row[Any]) -> dict[str, Any]:
    return {key: getattr(row, key) for key in SYSTEM_FIELDS if hasattr(row, key)}


def print_records(
    gate: FormGate,
    form: FormDefinition,
    template: PrintTemplate,
    rows: Sequence[Row[Any]],
    change: Change,
    images: dict[str, str],
) -> list[tuple[str, str, str]]:
    """(header, body, footer) HTML of each record, as the gate lets its actor see it. `form` is the one the
    template was checked on (the draft's, in the builder's preview)."""
    ctx = EvalContext(change.now, change.timezone, change.actor.username)
    unreadable = frozenset(gate.hidden | gate.masked)
    shown_rows = shown_records(gate, list(rows))
    related = related_records(gate, form, template, [s["data"] for s in shown_rows])
    out = []
    for row, shown, (linked, row_linked) in zip(rows, shown_rows, related, strict=True):
        record = PrintRecord(form, shown["data"], _system(row), unreadable, images, ctx, linked, row_linked)
        out.append((render(template.header, record), render(template.body, record), render(template.footer, record)))
    return out


def _related_id(value: Any) -> int | None:
    """The id a shown single relation holds ({id, title}, or a bare id)."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class _Holder:
    """A printed record or one row of its sub-table, and the related records found for it so far."""

    form: FormDefinition
    data: Mapping[str, Any]
    related: dict[str, RelatedRecord]


class _RelatedReader:
    """Related records as the reader may see them through each related form's own rights, a gate per form."""

    def __init__(self, gate: FormGate) -> None:
        self.gate = gate
        self.guard = Guard(gate.actor, gate.ctx.now, gate.ctx.timezone)
        self.gates: dict[str, FormGate | None] = {}

    def _gate(self, target: str) -> FormGate | None:
        if target not in self.gates:
            try:
                other: FormGate | None = self.guard.form(self.gate.conn, self.gate.ref.app_key, target)
            except NotFound:  # no right at all on the related form: nothing of it prints
                other = None
            self.gates[target] = other if other is not None and other.may("read") else None
        return self.gates[target]

    def read(self, target: str, ids: set[int]) -> dict[int, RelatedRecord]:
        """One query for the records `ids` of form `target` the reader may read."""
        other = self._gate(target)
        if other is None:
            return {}
        app = self.gate.ref.app_key
        query = select(records).where(records.c.id.in_(sorted(ids)), records.c.app == app, records.c.form == target,
                                      live())
        clause = other.where("read")
        rows = list(self.gate.conn.execute(query.where(clause) if clause is not None else query))
        unreadable = frozenset(other.hidden | other.masked)
        return {row.id: RelatedRecord(other.ref.form, shown["data"], unreadable)
                for row, shown in zip(rows, shown_records(other, rows), strict=True)}


def related_records(
    gate: FormGate, form: FormDefinition, template: PrintTemplate, datas: Sequence[Mapping[str, Any]]
) -> list[tuple[dict[str, RelatedRecord], dict[str, list[dict[str, RelatedRecord]]]]]:
    """For each printed record, the records its template's relation placeholders read (`{{ customer.address }}`,
    `{{ contact.customer.address }}`) and, per sub-table, those each row's do (`{{ product.name }}` in
    `#each lines`), as the reader may see them through the related forms' own rights: a hop at a time, one
    query per related form for the whole selection and its rows. A relation hidden from the reader (on the
    printed form or a related one), or a related record they may not read, is left out: its placeholders,
    and any hop beyond it, print empty."""
    wanted = template_paths(form, template, gate.ref.app.forms_by_key)
    out: list[tuple[dict[str, RelatedRecord], dict[str, list[dict[str, RelatedRecord]]]]] = [({}, {}) for _ in datas]
    holders: dict[str, list[_Holder]] = {"": []}
    for (top, rows), data in zip(out, datas, strict=True):
        holders[""].append(_Holder(form, data, top))
        for table in {scope for scope, _ in wanted if scope}:
            sub = sub_table_form(form.by_key[table])
            shown_rows = [r for r in data.get(table) or [] if isinstance(r, dict)]
            rows[table] = [{} for _ in shown_rows]
            holders.setdefault(table, []).extend(_Holder(sub, r, rel) for r, rel in zip(shown_rows, rows[table],
                                                                                          strict=True))
    reader = _RelatedReader(gate)
    for hop in range(1, MAX_HOPS + 1):
        steps = [(scope, rels) for scope, rels in wanted if len(rels) == hop]
        asked: list[tuple[dict[str, RelatedRecord], str, str, int]] = []  # (where it goes, path, form, id)
        for scope, rels in steps:
            for holder in holders.get(scope, []):
                source = holder.related.get(".".join(rels[:-1])) if hop > 1 else None
                on, data = (source.form, source.shown) if source else (holder.form, holder.data)
                if hop > 1 and source is None:
                    continue  # the hop before found nothing the reader may read
                field = on.by_key.get(rels[-1])
                target = getattr(field, "target", None)
                if isinstance(target, str) and (rid := _related_id(data.get(rels[-1]))) is not None:
                    asked.append((holder.related, ".".join(rels), target, rid))
        by_form: dict[str, set[int]] = {}
        for _, _, target, rid in asked:
            by_form.setdefault(target, set()).add(rid)
        found = {(target, i): rec for target, ids in by_form.items() for i, rec in reader.read(target, ids).items()}
        for into, path, target, rid in asked:
            if (target, rid) in found:
                into[path] = found[(target, rid)]
    return out


def page_css(template: PrintTemplate) -> str:
    """The document's CSS: paper and margins, header, footer and page numbers in the page boxes."""
    width, height = SIZES[(template.paper, template.orientation)]
    return PAGE_CSS % {
        "paper": template.paper,
        "orientation": template.orientation,
        "margins": MARGINS,
        "fonts": CHINESE_FONTS,
        "width": width,
        "height": height,
    }


def sections(parts: list[tuple[str, str, str]]) -> str:
    """One section per record, each starting on a new page."""
    return "".join(
        f'<section class="print-record"><div class="print-header">{header}</div>'
        f'<div class="print-footer">{footer}</div><div class="print-body">{body}</div></section>'
        for header, body, footer in parts
    )


def document(template: PrintTemplate, parts: list[tuple[str, str, str]], title: str) -> str:
    """The whole HTML document of the printed records."""
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{page_css(template)}</style></head><body>{sections(parts)}</body></html>"
    )


def parse_ids(text: str | None, most: int) -> list[int]:
    """`ids=1,2,3` of a print: 1 to `most` record ids, in the order given, without repeats."""
    try:
        ids = list(dict.fromkeys(int(p) for p in (text or "").split(",") if p.strip()))
    except ValueError:
        raise BadQuery("ids 应为逗号分隔的记录编号", "ids must be comma-separated record ids", field="ids") from None
    if not 1 <= len(ids) <= most or not all(1 <= i < 2**63 for i in ids):
        raise BadQuery(f"一次打印 1 到 {most} 条记录", f"print 1 to {most} records at a time", field="ids")
    return ids


__all__ = [
    "document",
    "page_css",
    "sections",
    "image_uri",
    "parse_ids",
    "print_records",
    "related_records",
    "template_images",
    "MAX_IMAGE_BYTES",
]
