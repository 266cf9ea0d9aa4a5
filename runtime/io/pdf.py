"""HTML to PDF with WeasyPrint (what a manager forwards: a dashboard, a printed record).

The HTML is ours (escaped); the only resources it may load are `data:` URIs (a chart's image) and, when
a `base_url` is given, local files — never the network, so a document cannot make the server fetch an
address. Chinese text needs a CJK font on the server (Debian: fonts-wqy-zenhei); the style names it."""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of a self-contained HTML document."""
    allowed = {"data", "file"} if base_url is not None else {"data"}
    pdf = HTML(string=html, base_url=base_url, url_fetcher=URLFetcher(allowed_protocols=allowed)).write_pdf()
    assert pdf is not None  # write_pdf returns the bytes when given no target
    return bytes(pdf)


__all__ = ["html_to_pdf"]
