"""回收站 (the recycle bin) of a form: its deleted records the actor may restore, newest deletion first
(runtime/records/recycle_bin.py). Restoring one is POST …/records/{id}/restore (runtime/api/records.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.api.records import searched_in
from runtime.permissions.check import FormGate
from runtime.records import listing, recycle_bin
from runtime.schemas.records import shown_records

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}", tags=["records"])


def bin_json(gate: FormGate, page: recycle_bin.BinPage) -> dict[str, Any]:
    """The page as the API answers it (the bin page draws the same)."""
    app, form = gate.ref.app_key, gate.ref.form.key
    items = []
    for row, shown in zip(page.items, shown_records(gate, page.items), strict=True):
        merged = page.merged_into.get(row.id)
        items.append(
            shown
            | {
                "deleted_at": row.deleted_at.isoformat().replace("+00:00", "Z"),
                "deleted_by": row.updated_by,
                "merged_into": None
                if merged is None
                else {
                    "survivor_id": merged[0],
                    "title": merged[1],
                    "url": f"/apps/{app}/forms/{form}/records/{merged[0]}",
                },
            }
        )
    return {"items": items, "next_cursor": page.next_cursor}


def bin_page(gate: FormGate, q: str | None, limit: int, cursor: str | None) -> recycle_bin.BinPage:
    """One page of the bin for this actor: the form's restore right (which follows delete), its row scope."""
    gate.require("restore")
    text = (q or "").strip() or None
    query = recycle_bin.BinQuery(gate.where("restore"), text, searched_in(gate, bool(text)), limit, cursor)
    return recycle_bin.deleted_records(gate.conn, gate.ref, query)


@router.get("/bin")
def list_bin(
    app: str,
    form: str,
    db: DB,
    guard: Gatekeeper,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
    cursor: str | None = None,
) -> Any:
    """The deleted records the actor may restore, newest deletion first, each with `deleted_at`, `deleted_by`
    and `merged_into` (`{survivor_id, title, url}` for a record merged into another, else null); `q=` text
    in the searched fields; keyset `cursor`."""
    with db.read() as conn:
        gate = guard.form(conn, app, form)
        return JSONResponse(bin_json(gate, bin_page(gate, q, limit, cursor)))
