"""Finding records by field values: the live records whose fields equal given values (a flow's `create_record`
with `match`, an HTTP step's pull upserting by key, a template's demo record matched by SKU, an inbound hook's
upsert key and its lookups of related records), or that the form's duplicate rules find for a new record's
values (`create_record` with `match_duplicates`).

Every equality goes through the one filter compiler (listing.condition_clause, which `filter[f][eq]=` uses):
the value is normalised as the field takes it (a phone in another format, a select's option, a number given
as text), and an encrypted field is compared through its blind index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from engine.forms.fields.base import ValueContext
from runtime.db.tables import live
from runtime.db.tables import records as records_table
from runtime.records.context import Change, FormRef
from runtime.records.duplicates import find
from runtime.records.listing import Condition, condition_clause, of_form
from runtime.records.preview import preview


def matching(conn: Connection, ref: FormRef, match: dict[str, Any], ctx: ValueContext, *, limit: int) -> list[int]:
    """The ids (oldest first, at most `limit`) of the live records whose fields equal `match`; a blank value
    matches a blank field. BadQuery (naming the field) when a value is not one the field could hold."""
    dialect = conn.dialect.name
    where = [*of_form(ref), live(records_table)]  # not a row an import has staged and not yet published
    where += [condition_clause(ref, Condition(key, "blank") if value is None or value == "" else
                               Condition(key, "eq", value), dialect, ctx) for key, value in match.items()]
    return list(conn.scalars(select(records_table.c.id).where(*where).order_by(records_table.c.id).limit(limit)))


def oldest_matching(conn: Connection, ref: FormRef, match: dict[str, Any], ctx: ValueContext) -> int | None:
    """The oldest live record whose fields equal `match` (see matching)."""
    found = matching(conn, ref, match, ctx, limit=1)
    return found[0] if found else None


def oldest_duplicate(conn: Connection, ref: FormRef, values: dict[str, Any], change: Change) -> int | None:
    """The oldest live record a new record of these values would likely duplicate (a branch or a parent
    company is no duplicate); the values are compared as they would be stored."""
    if not ref.form.duplicate_rules:
        return None
    data, _ = preview(conn, ref, values, change)
    found = find(conn, ref, data if data is not None else values)
    return min((m.record_id for m in found if m.relation == "duplicate"), default=None)
