"""A dashboard as a PDF: the title, the filters and the moment, then every widget with the chart image the
page posted (ECharts draws in the browser; the server has no chart renderer) and its figures as a table
the server computed for the reader (runtime/analytics/snapshot.py). Without images (an API call, a
subscription) the tables alone make the document."""

from __future__ import annotations

import base64
import binascii
from html import escape

from engine.errors import BadQuery
from runtime.analytics.snapshot import Figures
from runtime.io.pdf import CHINESE_FONTS, html_to_pdf

PNG = b"\x89PNG\r\n\x1a\n"
PREFIX = "data:image/png;base64,"
MAX_IMAGE_CHARS = 8 << 20
"""One chart image as a data URL: a 2× chart of a wide screen is well under 1 MB."""
STYLE = ("""
@page { size: A4 landscape; margin: 14mm; @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; } }
body { font-family: """ + CHINESE_FONTS + """; font-size: 10pt; color: #111827; }
h1 { font-size: 18pt; margin: 0 0 4px; } .meta { color: #6b7280; margin: 0 0 12px; }
section { page-break-inside: avoid; margin: 0 0 14px; } h2 { font-size: 12pt; margin: 0 0 6px; }
img { max-width: 100%; max-height: 120mm; display: block; margin: 0 0 6px; }
table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #e5e7eb; padding: 3px 6px; text-align: left; }
th { background: #f3f4f6; } td.number { text-align: right; } .muted { color: #6b7280; }
""")


def chart_image(key: str, data_url: str) -> str:
    """A posted chart image, checked: a PNG data URL of bounded size (400 naming `images.<key>` otherwise)."""
    bad = BadQuery(
        f"图表 {key} 的图片应为 PNG（data:image/png;base64,…）",
        f"image of {key!r} must be a PNG data URL",
        field=f"images.{key}",
    )
    if not data_url.startswith(PREFIX) or len(data_url) > MAX_IMAGE_CHARS:
        raise bad
    try:
        raw = base64.b64decode(data_url[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if not raw.startswith(PNG):
        raise bad
    return PREFIX + base64.b64encode(raw).decode()


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("-¥").replace(",", "").replace(".", "").rstrip("%").isdigit()


def _table(f: Figures) -> str:
    if f.error:
        return f'<p class="muted">{escape(f.error)}</p>'
    head = "".join(f"<th>{escape(c)}</th>" for c in f.columns)
    rows = "".join(
        "<tr>" + "".join(f'<td class="{"number" if _numeric(c) else ""}">{escape(c)}</td>' for c in row) + "</tr>"
        for row in f.rows
    )
    more = f'<p class="muted">另有 {f.more} 行未列出</p>' if f.more else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{more}"


def dashboard_html(title: str, meta: str, widgets: list[Figures], images: dict[str, str]) -> str:
    """The document: `images` are checked data URLs by widget key."""
    sections = "".join(
        f"<section><h2>{escape(f.name)}</h2>"
        + (f'<img src="{escape(images[f.key])}" alt="{escape(f.name)}">' if f.key in images and not f.error else "")
        + _table(f)
        + "</section>"
        for f in widgets
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>'
        f"{sections}</body></html>"
    )


def dashboard_pdf(title: str, meta: str, widgets: list[Figures], images: dict[str, str]) -> bytes:
    return html_to_pdf(dashboard_html(title, meta, widgets, images))


__all__ = ["chart_image", "dashboard_html", "dashboard_pdf", "MAX_IMAGE_CHARS"]
