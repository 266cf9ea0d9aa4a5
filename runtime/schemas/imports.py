"""The import wizard's choices (sheet, header row, column and value mapping, mode, business key), as the
API takes them, as they are stored with an import, and as the CLI builds them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from runtime.io.spreadsheet import MAX_HEADER_ROW

Mode = Literal["create", "upsert", "update"]


class ImportSpec(BaseModel):
    """How an uploaded sheet becomes records; what the dry run checks and the run then does."""

    model_config = ConfigDict(extra="forbid")

    sheet: Annotated[int, Field(ge=0, le=999)] = 0
    """The sheet, by its index in the workbook (0: the first)."""
    header_row: Annotated[int, Field(ge=1, le=MAX_HEADER_ROW)] = 1
    """The spreadsheet row holding the column names; the rows below it are the data."""
    columns: dict[Annotated[int, Field(ge=0, le=9999)], Annotated[str, Field(max_length=63)] | None] | None = None
    """Column index → the field it fills (null: ignored). Absent: as suggested (saved mapping, label,
    synonyms)."""
    values: dict[Annotated[str, Field(max_length=63)],
                 dict[Annotated[str, Field(max_length=500)], Annotated[str, Field(max_length=500)] | int | float]] = Field(
        default_factory=dict, max_length=200)
    """Per field key, a cell's text → the value the field reads instead (A类 → A; a customer's name → its id)."""
    mode: Mode = "create"
    """create: every row is a new record; upsert: rows whose business key matches a record update it, the
    others are created; update: every row must match a record."""
    key: Annotated[list[Annotated[str, Field(max_length=63)]], Field(max_length=5)] = Field(default_factory=list)
    """The business key: one unique field or a combination (upsert and update)."""
    skip_bad: bool = False
    """false: all or nothing (one bad row and nothing is written); true: the good rows are written, the bad
    ones skipped and listed in the error report."""
    skip_duplicates: bool = False
    """false: rows the form's `warn` duplicate rules match are flagged 可能重复 and imported; true: they fail
    (and are skipped with skip_bad). Rows a `block` rule matches always fail (runtime/io/import_duplicates.py)."""

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


__all__ = ["ImportSpec", "Mode"]
