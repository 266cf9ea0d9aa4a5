"""A dashboard as a PDF: the title, the filters and the moment, then every widget with its chart and its
figures as a table the server computed for the reader (runtime/analytics/snapshot.py). The chart is the
image the page posted (ECharts, as the reader saw it) or, without one (an API call, the CLI, a
subscription's e-mail), the server's own drawing (engine/reports/svg), placed inline as vector SVG."""

from __future__ import annotations

import base64
import binascii
from html import escape
from typing import Any

from engine.errors import BadQuery
from engine.reports.svg import is_chart, widget_svg
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
svg { display: block; max-width: 100%; height: auto; margin: 0 0 6px; }
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


def _chart(f: Figures, images: dict[str, str], drawn: dict[str, str]) -> str:
    if f.error:
        return ""
    if f.key in images:
        return f'<img src="{escape(images[f.key])}" alt="{escape(f.name)}">'
    return drawn.get(f.key, "")  # SVG the engine wrote, every text in it escaped


def dashboard_html(
    title: str, meta: str, widgets: list[Figures], images: dict[str, str], drawn: dict[str, str] | None = None
) -> str:
    """The document: `images` are checked data URLs by widget key, `drawn` the server's SVG charts of the
    widgets without one."""
    sections = "".join(
        f"<section><h2>{escape(f.name)}</h2>"
        + _chart(f, images, drawn or {})
        + _table(f)
        + "</section>"
        for f in widgets
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><p class="meta">{escape(meta)}</p>'
        f"{sections}</body></html>"
    )


def drawn_charts(results: list[dict[str, Any]], images: dict[str, str]) -> dict[str, str]:
    """The server's SVG of every chart widget the page posted no image of (a table is its own figures)."""
    return {
        r["key"]: widget_svg(r)
        for r in results
        if not r.get("error") and r.get("key") not in images and is_chart(str(r.get("type")))
    }


def dashboard_pdf(
    title: str, meta: str, widgets: list[Figures], images: dict[str, str], drawn: dict[str, str] | None = None
) -> bytes:
    return html_to_pdf(dashboard_html(title, meta, widgets, images, drawn))


__all__ = ["chart_image", "dashboard_html", "dashboard_pdf", "drawn_charts", "MAX_IMAGE_CHARS"]
