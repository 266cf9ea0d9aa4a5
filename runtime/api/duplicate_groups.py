"""查重: `GET /api/v1/apps/{app}/forms/{form}/duplicates/groups`, the groups of stored records that likely
duplicate each other by the form's rules, largest first, a page at a time (runtime/records/duplicate_groups.py).
Only records the caller may read, under rules reading no field hidden or masked from them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from runtime.api.deps import DB
from runtime.api.guard import Gatekeeper
from runtime.permissions.check import FormGate
from runtime.records import duplicates, merge
from runtime.records.duplicate_groups import find_groups
from runtime.records.titles import titles

router = APIRouter(prefix="/api/v1/apps/{app}/forms/{form}/duplicates", tags=["records"])

MAX_GROUPS = 100


def groups_page(gate: FormGate, offset: int, limit: int) -> dict[str, Any]:
    """One page of the groups as this reader may see them: `{"groups": [{"size", "rules": [{"key",
    "name"}], "records": [{"id", "title", "url"}], "merge_url"}], "total", "offset", "limit"}`;
    `merge_url` (the merge page for the group's first records) only for who may update and delete."""
    ref = gate.ref
    blind = duplicates.blind_rules(ref.form, gate.hidden | gate.masked)
    rules = [r for r in ref.form.duplicate_rules if r.key not in blind]
    readable = None if gate.rights.unrestricted else gate.where("read")
    found = find_groups(gate.conn, ref, rules, readable) if gate.may("read") else []
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
