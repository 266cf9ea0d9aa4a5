"""An inbound hook's definition: where another system posts (`POST /api/v1/hooks/{app}/{hook}`), how it
proves who it is, how its JSON becomes field values of a form, and what is done with them.

The secret itself is not part of the definition: definitions are exported, versioned and shown to the
app's builders, so the runtime keeps each hook's secret apart, write-only (runtime/hooks/secrets.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from engine.keys import Key
from engine.model_words import Refusal

SIGNATURE_HEADER = "X-Tangram-Signature"
"""Where an HMAC hook's caller sends `sha256=<hex of HMAC-SHA256(secret, raw body)>` unless it names another."""
DELIVERY_HEADER = "X-Tangram-Delivery"
"""Where the caller sends the id of a delivery; the same id again gets the first answer and writes nothing."""


LookupKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}(\.[a-z][a-z0-9_]{0,63})?$")]
"""A relation field's key, or `subtable.column` for a relation column of a sub-table."""


class HookLookup(BaseModel):
    """A relation field whose mapped value names the related record by one of its fields (the ERP's customer
    code, the customer's name) rather than by its id: the record whose `by` field equals the value is found
    (as `filter[by][eq]=value` finds it). None found: 422 at the payload path, or, with `create`, a new
    record of the related form with `by` and these fields (expressions over `payload`, as the mapping's).
    Several found: 422 `ambiguous`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: Key
    """The field of the related form the mapped value is compared with (a unique one, best)."""
    create: dict[Key, str] | None = None
    """When none is found, create it: field of the related form ← expression over `payload` (`{}`: `by` only)."""


class InboundHook(BaseModel):
    """One inbound hook of an app."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    name: str = Field(min_length=1, max_length=100)
    name_en: str | None = None
    description: str | None = None
    enabled: bool = True
    form: Key
    """The form the payload is written to (a flow's form in `flow` mode)."""
    auth: Literal["hmac", "bearer"] = "hmac"
    """hmac: the caller signs the raw body with the secret (HMAC-SHA256, hex, in `signature_header`);
    bearer: the caller sends `Authorization: Bearer <secret>`."""
    signature_header: str = Field(default=SIGNATURE_HEADER, pattern=r"^[A-Za-z0-9-]{1,64}$")
    delivery_header: str = Field(default=DELIVERY_HEADER, pattern=r"^[A-Za-z0-9-]{1,64}$")
    mapping: dict[Key, str] = Field(min_length=1)
    """Field key ← an expression over the posted JSON (`payload.order.customer_name`)."""
    mode: Literal["create", "upsert", "flow"] = "create"
    """create: a new record per delivery; upsert: update the record whose `upsert_key` fields equal the
    mapped values, or create one; flow: create the record and start `flow` on it."""
    lookups: dict[LookupKey, HookLookup] = Field(default_factory=dict)
    """Relation field (or `subtable.column`, a relation column of a mapped sub-table: each row's value) ← how its
    mapped value finds the related record (HookLookup); without one, the mapped value is the related record's id."""
    upsert_key: list[Key] = Field(default_factory=list)
    """upsert: the field (a unique one) or fields whose values identify the record."""
    flow: Key | None = None
    """flow: the flow started on the new record (one of the app's flows, on `form`)."""

    @model_validator(mode="after")
    def _mode_needs(self) -> InboundHook:
        if self.mode == "upsert" and not self.upsert_key:
            raise Refusal('"mode": "upsert" 需要 "upsert_key"（按哪些字段找到要更新的记录）', '"mode": "upsert" needs "upsert_key"')
        if self.mode == "flow" and self.flow is None:
            raise Refusal('"mode": "flow" 需要 "flow"（启动哪个流程）', '"mode": "flow" needs "flow"')
        return self


__all__ = ["DELIVERY_HEADER", "SIGNATURE_HEADER", "HookLookup", "InboundHook"]
