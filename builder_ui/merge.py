"""合并 (merge): the side-by-side page where the user picks the record that stays and, per field, whose value
it keeps; merge.js POSTs the choice to the merge API (runtime/api/merge.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from builder_ui.records import visible_form
from builder_ui.rendering import render
from builder_ui.viewer import PageGuard, Viewer
from engine.errors import BadQuery
from runtime.api.deps import DB
from runtime.records import merge, records
from runtime.schemas.records import shown_records

router = APIRouter(include_in_schema=False)


def _ids(text: str) -> list[int]:
    try:
        ids = list(dict.fromkeys(int(part) for part in text.split(",") if part.strip()))
    except ValueError:
        raise BadQuery(
            "ids 应为以逗号分隔的记录编号", "ids must be record ids separated by commas", field="ids"
        ) from None
    if not 2 <= len(ids) <= merge.MAX_MERGED + 1:
        raise BadQuery(
            f"请选择 2 到 {merge.MAX_MERGED + 1} 条记录合并",
            f"choose 2 to {merge.MAX_MERGED + 1} records to merge",
            field="ids",
        )
    return ids


@router.get("/apps/{app}/forms/{form}/merge")
def merge_page(
    request: Request, app: str, form: str, user: Viewer, guard: PageGuard, db: DB, ids: str = ""
) -> Response:
    """The chosen records side by side: one column each, a row per field the user may write."""
    wanted = _ids(ids)
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        for record_id in wanted:
            gate.require_record(record_id, "read")
        rows = [records.get(conn, gate.ref, i) for i in wanted]
        shown = shown_records(gate, rows)
        writable = [
            f
            for f in gate.ref.form.writable
            if f.key not in gate.hidden and gate.access(f.key) not in ("read", "masked")
        ]
    differing = {f.key for f in writable if len({repr(r["data"].get(f.key)) for r in shown}) > 1}
    return render(
        request,
        "merge/page.html",
        user=user,
        app=gate.ref.app,
        form=visible_form(gate.ref.form, gate.hidden),
        shown=shown,
        fields=writable,
        differing=differing,
    )
