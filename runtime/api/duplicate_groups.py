"""查重: `GET /api/v1/apps/{app}/forms/{form}/duplicates/groups`, the groups of stored records that likely
duplicate each other by the form's rules as the form's last scan found them, largest first, a page at a time
(runtime/records/duplicate_groups.py); `POST …/duplicates/scan` starts a scan in the background (or joins the
running one) and `GET …/duplicates/scan` follows it (runtime/records/duplicate_scan.py). Only records the
caller may read, under rules reading no field hidden or masked from them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.permissions.check import FormGate
from runtime.records import duplicate_scan, duplicates, merge
from runtime.records.duplicate_groups import stored_groups
from runtime.records.titles import titles

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/duplicates", tags=["records"])

MAX_GROUPS = 100


def groups_page(gate: FormGate, offset: int, limit: int) -> dict[str, Any]:
    """One page of the last scan's groups as this reader may see them: `{"groups": [{"size", "rules": [{"key",
    "name"}], "records": [{"id", "title", "url"}], "merge_url"}], "total", "offset", "limit", "scan"}`;
    `merge_url` (the merge page for the group's first records) only for who may update and delete; `scan`
    as `GET …/duplicates/scan` gives it (its `generated_at`: when the groups were found)."""
    ref = gate.ref
    blind = duplicates.blind_rules(ref.form, gate.hidden | gate.masked)
    rules = {r.key for r in ref.form.duplicate_rules if r.key not in blind}
    readable = None if gate.rights.unrestricted else gate.where("read")
    found = stored_groups(gate.conn, ref, rules, readable) if gate.may("read") else []
    page = found[offset : offset + limit]
    names = titles(gate.conn, ref.app, {i for g in page for i in g.record_ids})
    shown = gate.titles_on(gate.conn, ref.form.key, names)
    base = f"/apps/{ref.app_key}/forms/{ref.form.key}"
    may_merge = gate.may("update") and gate.may("delete")
    by_key = {r.key: r for r in ref.form.duplicate_rules}
    return {
        "groups": [
            {
                "size": len(g.record_ids),
                "rules": [{"key": k, "name": by_key[k].name} for k in g.rules],
                "records": [{"id": i, "title": shown.get(i, f"#{i}"), "url": f"{base}/records/{i}"} for i in g.record_ids],
                "merge_url": f"{base}/merge?ids={','.join(str(i) for i in g.record_ids[: merge.MAX_MERGED + 1])}"
                if may_merge
                else None,
            }
            for g in page
        ],
        "total": len(found),
        "offset": offset,
        "limit": limit,
        "scan": duplicate_scan.status_json(gate.conn, ref.app_key, ref.form.key),
    }


@router.get("/groups")
def duplicate_groups(
    app: str,
    form: str,
    db: DB,
    guard: Gatekeeper,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_GROUPS)] = 20,
) -> Any:
    """The form's likely duplicates grouped, largest group first (docs/api.md, 查重)."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        return groups_page(gate, offset, limit)


@router.get("/scan")
def scan_status(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """The form's last or running scan: status (none | queued | running | done | failed), progress (%),
    started_at, generated_at (when the stored groups were found)."""
    with db.read() as conn:
        gate = guard.form(conn, app, form, "read")
        return duplicate_scan.status_json(conn, gate.ref.app_key, gate.ref.form.key)


@router.post("/scan")
def start_scan(app: str, form: str, db: DB, guard: Gatekeeper) -> Any:
    """Find the form's likely duplicates again in the background: 202 with the scan queued, or 200 with the
    one already queued or running (one scan per form at a time; a second start joins it)."""
    with db.write() as conn:
        gate = guard.form(conn, app, form, "read")
        scan, started = duplicate_scan.start(conn, gate.ref.app_key, gate.ref.form.key, guard.now)
        return JSONResponse(duplicate_scan.as_json(scan), status_code=202 if started else 200)
