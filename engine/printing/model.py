"""PrintTemplate: one printable document of a form (报价单, 合同, 出库单), part of the form's definition."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.keys import Key

MAX_TEMPLATE_CHARS = 50_000  # body, header and footer each: a long contract, never a megabyte of markup


class ImageRef(BaseModel):
    """An uploaded image (POST /api/v1/files): the company logo or the seal (公章)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = ""


class PrintTemplate(BaseModel):
    """A page layout in HTML with `{{ expression }}` placeholders (engine/printing/template.py); header and
    footer repeat on every page, page numbers are added at the foot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str = Field(min_length=1, max_length=100)
    body: str = Field(max_length=MAX_TEMPLATE_CHARS)
    header: str = Field(default="", max_length=MAX_TEMPLATE_CHARS)
    footer: str = Field(default="", max_length=MAX_TEMPLATE_CHARS)
    logo: ImageRef | None = None
    seal: ImageRef | None = None
    paper: Literal["A4", "A5"] = "A4"
    orientation: Literal["portrait", "landscape"] = "portrait"


PARTS = ("header", "body", "footer")
"""The template texts of a PrintTemplate, in page order."""

__all__ = ["ImageRef", "PrintTemplate", "PARTS", "MAX_TEMPLATE_CHARS"]
