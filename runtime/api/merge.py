"""Merging records (合并): the survivor takes the values picked per field, references move to it, the others
go to the bin with a link to it; restoring one from the bin undoes its part (runtime/records/merge.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from runtime.api.deps import DB, MAX_ID, Id, change_for
from runtime.api.guard import Gatekeeper
from runtime.api.writing import short_write
from runtime.records import merge, records
from runtime.schemas.records import shown_records

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}", tags=["records"])

RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]  # beyond 64 bits would overflow the driver, not be a 404


class MergeIn(BaseModel):
    """`{"survivor": 12, "merged": [15], "values": {"phone": 15}}`: which record stays, which go, and for a
    field the record whose value the survivor keeps (fields not named keep the survivor's own)."""

    model_config = ConfigDict(extra="forbid")
    survivor: RecordId
    merged: list[RecordId] = Field(min_length=1, max_length=merge.MAX_MERGED)
    values: dict[str, RecordId] = Field(default_factory=dict)


@router.post("/merge")
async def merge_records(app: str, form: str, body: MergeIn, request: Request, db: DB, guard: Gatekeeper) -> Any:
    """Merge `merged` into `survivor` (update right on it, delete right on each merged one): the survivor
    as stored, and `merged` (the records now in the bin)."""

    def work() -> JSONResponse:
        with db.write() as conn:
            gate = guard.form(conn, app, form)
            gate.require_record(body.survivor, "update")
            for record_id in body.merged:
                gate.require_record(record_id, "delete")
            gate.check_write([body.values])
            row = merge.merge(
                conn, gate.ref, body.survivor, body.merged, body.values, gate.writing(change_for(request, guard.actor))
            )
            [row] = records.as_committed(conn, gate.ref, [row])
            return JSONResponse({"survivor": shown_records(gate, [row])[0], "merged": list(dict.fromkeys(body.merged))})

    return await short_write(db, work)


@router.get("/merges/{record_id}")
def merged_into(app: str, form: str, record_id: Id, db: DB, guard: Gatekeeper) -> Any:
    """Where a merged record went: `{"merged_id", "survivor_id", "url", "at", "by"}`; 404 when it was not
    merged (or its merge was undone)."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        gate.require_record(record_id, "read", deleted=None)
        done = merge.merged_into(conn, gate.ref, record_id)
        if done is None:
            raise merge.not_merged(gate.ref, record_id)
        return {
            "merged_id": record_id,
            "survivor_id": done.survivor_id,
            "at": done.at.isoformat(),
            "by": done.by,
            "url": f"/apps/{app}/forms/{form}/records/{done.survivor_id}",
        }
