"""The HTML of a print template: an allow-list of layout tags and attributes, and a parser that writes the HTML
out again from what it understood — only allowed tags and attributes, every text and attribute value escaped,
comments and scripts dropped — collecting what it left out. What a browser or the PDF renderer receives is
therefore exactly what was checked: no markup read one way here (`<!--><script>…` is a comment to Python's
parser) can reach them read another way (a script to a browser)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    "p div span br hr h1 h2 h3 h4 h5 h6 strong b em i u s small sub sup table thead tbody tfoot tr th td caption "
    "colgroup col ul ol li dl dt dd blockquote pre code section header footer article figure figcaption".split()
)
ALLOWED_ATTRIBUTES = frozenset("class style colspan rowspan align valign width".split())
UNSAFE_CSS = ("url(", "expression(", "@import", "\\", "javascript:", "behavior", "<", "image-set(", "src(")
MARK = "\ue000"  # where a placeholder stood while the HTML around it is parsed: text only, never in a tag


VOID_TAGS = frozenset({"br", "hr", "col"})
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript"})


class Rebuilder(HTMLParser):
    """Writes the HTML out again with only the allow-list in it, collecting what it had to leave out: tags and
    attributes outside the list, placeholders inside a tag, CSS that loads something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.problems: list[tuple[str, str, str]] = []
        self.raw: str | None = None  # inside <script>, <style> …: their text is dropped with them

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> str | None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(("tag_not_allowed", f"不允许使用标签 <{tag}>", f"the tag <{tag}> is not allowed"))
            return None
        kept = []
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES:
                self.problems.append(
                    (
                        "attribute_not_allowed",
                        f"<{tag}> 不允许使用属性 {name}",
                        f"the attribute {name!r} is not allowed on <{tag}>",
                    )
                )
            elif MARK in (value or ""):
                self.problems.append(
                    ("placeholder_in_tag", f"<{tag}> 的属性里不能写占位符", f"no placeholders inside the tag <{tag}>")
                )
            elif name == "style" and any(bad in (value or "").lower() for bad in UNSAFE_CSS):
                self.problems.append(
                    (
                        "unsafe_style",
                        f"<{tag}> 的 style 不能引用外部资源",
                        f"the style of <{tag}> may not load anything",
                    )
                )
            else:
                kept.append(f' {name}="{html.escape(value or "", quote=True)}"')
        return f"<{tag}{''.join(kept)}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in RAW_TEXT:
            self.raw = tag
        written = self._tag(tag, attrs)
        if written and self.raw is None:
            self.out.append(written)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        written = self._tag(tag, attrs)
        if written:
            self.out.append(written if tag in VOID_TAGS else f"{written}</{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw:
            self.raw = None
        elif tag in ALLOWED_TAGS and tag not in VOID_TAGS and self.raw is None:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.raw is None:
            self.out.append(html.escape(data, quote=False))

    def handle_pi(self, data: str) -> None:
        self.problems.append(("tag_not_allowed", "不允许使用 <? … >", "processing instructions are not allowed"))

    def unknown_decl(self, data: str) -> None:
        self.problems.append(("tag_not_allowed", "不允许使用 <! … >", "declarations are not allowed"))

    def handle_decl(self, decl: str) -> None:
        self.problems.append(("tag_not_allowed", "不允许使用 <! … >", "declarations are not allowed"))


def rebuild(skeleton: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The skeleton's HTML as written out again, and the problems found: (code, 中文, English)."""
    rebuilt = Rebuilder()
    rebuilt.feed(skeleton)
    rebuilt.close()
    return "".join(rebuilt.out), list(dict.fromkeys(rebuilt.problems))


__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "MARK", "UNSAFE_CSS", "Rebuilder", "rebuild"]
