"""Printed documents: records filled into a form's print template as one HTML document (A4 @page CSS, header
and footer on every page, page numbers), which the print view shows and runtime/io/pdf.py turns into a PDF.

Each record is printed as its reader sees it through the permission gate (hidden fields empty, masked ones
masked, related titles only where readable); the logo and seal are embedded as data: URIs, so the document
needs nothing from outside itself and the reader needs no right on the uploaded image files."""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from engine.errors import BadQuery, NotFound
from engine.expr.evaluate import EvalContext
from engine.forms.model import FormDefinition
from engine.forms.system_fields import SYSTEM_FIELDS
from engine.printing.model import PrintTemplate
from engine.printing.template import PrintRecord, RelatedRecord, render, template_relations
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
    for row, shown, linked in zip(rows, shown_rows, related, strict=True):
        record = PrintRecord(form, shown["data"], _system(row), unreadable, images, ctx, linked)
        out.append((render(template.header, record), render(template.body, record), render(template.footer, record)))
    return out


def _related_id(value: Any) -> int | None:
    """The id a shown single relation holds ({id, title}, or a bare id)."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def related_records(
    gate: FormGate, form: FormDefinition, template: PrintTemplate, datas: Sequence[Mapping[str, Any]]
) -> list[dict[str, RelatedRecord]]:
    """For each printed record, the records its template's relation placeholders read (`{{ customer.address }}`),
    as the reader may see them through the related form's own rights: one query per related form for the whole
    selection. A relation hidden from the reader, or a related record they may not read, is left out (its
    placeholders print empty)."""
    wanted = template_relations(form, template)
    out: list[dict[str, RelatedRecord]] = [{} for _ in datas]
    targets: dict[str, set[int]] = {}
    for rel in wanted:
        target = getattr(form.by_key[rel], "target", None)
        for data in datas:
            if target and (rid := _related_id(data.get(rel))) is not None:
                targets.setdefault(target, set()).add(rid)
    found: dict[tuple[str, int], RelatedRecord] = {}
    guard = Guard(gate.actor, gate.ctx.now, gate.ctx.timezone)
    for target, ids in targets.items():
        try:
            other = guard.form(gate.conn, gate.ref.app_key, target)
        except NotFound:  # no right at all on the related form: nothing of it prints
            continue
        if not other.may("read"):
            continue
        query = select(records).where(
            records.c.id.in_(sorted(ids)), records.c.app == gate.ref.app_key, records.c.form == target, live()
        )
        clause = other.where("read")
        rows = list(gate.conn.execute(query.where(clause) if clause is not None else query))
        unreadable = frozenset(other.hidden | other.masked)
        for row, shown in zip(rows, shown_records(other, rows), strict=True):
            found[(target, row.id)] = RelatedRecord(other.ref.form, shown["data"], unreadable)
    for i, data in enumerate(datas):
        for rel in wanted:
            target = getattr(form.by_key[rel], "target", None)
            rid = _related_id(data.get(rel))
            if target and rid is not None and (target, rid) in found:
                out[i][rel] = found[(target, rid)]
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
