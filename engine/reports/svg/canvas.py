"""SVG primitives for charts drawn on the server: every text escaped (labels are user data), the
Chinese font stack the PDF uses, the dashboard's colours (ECharts' default palette, app.css's red and
green), and a rough text width so labels are cut before they overlap."""

from __future__ import annotations

from html import escape

PALETTE = ("#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc")
"""ECharts 5's default series colours, as the dashboard draws them."""
FONT = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'
FG, MUTED, LINE, GRID, OK, DANGER = "#1f2937", "#6b7280", "#6e7079", "#e0e6f1", "#16a34a", "#dc2626"
TRACK = "#e6ebf8"
"""A gauge's unfilled dial."""


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def text_width(text: str, size: float) -> float:
    """About how wide `text` is: a CJK character is a square, Latin and digits a bit over half."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def fit(text: str, size: float, width: float) -> str:
    """`text` cut with … to about `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class Svg:
    """One drawing, built shape by shape and written once."""

    def __init__(self, width: float, height: float, title: str) -> None:
        self.width, self.height, self.title = width, height, title
        self.parts: list[str] = []

    def text(self, x: float, y: float, content: str, *, size: float = 12, anchor: str = "start", fill: str = FG,
             bold: bool = False, css: str = "") -> None:
        weight = ' font-weight="bold"' if bold else ""
        kind = f' class="{escape(css)}"' if css else ""
        self.parts.append(f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
                          f'fill="{fill}"{weight}{kind}>{escape(content)}</text>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" fill="{fill}"/>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str = LINE, width: float = 1) -> None:
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
                          f'stroke-width="{_n(width)}"/>')

    def path(self, d: str, fill: str = "none", stroke: str = "none", width: float = 1, opacity: float = 1) -> None:
        alpha = f' fill-opacity="{_n(opacity)}"' if opacity != 1 else ""
        self.parts.append(f'<path d="{d}" fill="{fill}"{alpha} stroke="{stroke}" stroke-width="{_n(width)}"/>')

    def polyline(self, points: list[tuple[float, float]], stroke: str, width: float = 2) -> None:
        self.path("M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points), stroke=stroke, width=width)

    def polygon(self, points: list[tuple[float, float]], fill: str, opacity: float = 1) -> None:
        self.path("M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points) + " Z", fill=fill, opacity=opacity)

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self.parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"/>')

    def render(self) -> str:
        """The SVG document (inline in HTML, or a file of its own)."""
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(self.width)}" height="{_n(self.height)}" '
                f'viewBox="0 0 {_n(self.width)} {_n(self.height)}" font-family="{escape(FONT)}" role="img" '
                f'aria-label="{escape(self.title)}"><title>{escape(self.title)}</title>{"".join(self.parts)}</svg>')


__all__ = ["Svg", "PALETTE", "FONT", "colour", "fit", "text_width", "FG", "MUTED", "LINE", "GRID", "OK", "DANGER",
           "TRACK"]
