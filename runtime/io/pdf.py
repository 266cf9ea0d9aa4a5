"""HTML to PDF on the server (weasyprint), with the Chinese font installed on the machine: a printed record,
a dashboard (what a manager forwards).

A document is rendered from its own bytes only: the fetcher takes `data:` URIs (images the caller embedded)
and refuses every other URL, so markup can never make the server read a file or call a host on its network
(server-side request forgery). `base_url` resolves relative links for the caller's own embedded resources."""

from __future__ import annotations

from collections.abc import Sequence

CHINESE_FONTS = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
"""The CSS font-family of printed documents: Debian's fonts-wqy-zenhei first (installed by .ci/run)."""


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of an HTML document (its @page CSS decides paper, margins and page boxes)."""
    return documents_to_pdf([html], base_url=base_url)


def documents_to_pdf(htmls: Sequence[str], *, base_url: str | None = None) -> bytes:
    """One PDF of several HTML documents, each laid out on its own: its page counters (第 1 页 / 共 N 页)
    count its own pages. CSS cannot do this in one document — `counter(pages)` is always the whole
    document's — so each is rendered apart and the pages joined, as WeasyPrint's Document.copy documents."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False, timeout=5)
    rendered = [HTML(string=html, base_url=base_url, url_fetcher=fetcher).render() for html in htmls]
    result: bytes = rendered[0].copy([page for doc in rendered for page in doc.pages]).write_pdf()
    return result


__all__ = ["CHINESE_FONTS", "documents_to_pdf", "html_to_pdf"]
