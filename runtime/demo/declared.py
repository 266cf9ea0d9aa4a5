"""Demo records a template declares (`demo.records` of apps/inventory_template.json …), written
through the storage layer in one transaction so rules, rollups and flows apply as for typed records.

Each item: `{"form", "ref", "match", "values"}`. In values, `{"ref": name}` is the id of the earlier
item with that `ref`, `{"days": n}` the date n days from today in the app's time zone (the demo
stays recent whenever it is loaded). With `match` (field keys), a live record with the same values
of those fields is updated instead of a new one created: the 进销存 demo's products are the CRM's
own, matched by SKU, when the CRM demo is loaded first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.addons import is_addon
from engine.errors import InvalidDefinition, Issue
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.demo.generate import ZONE
from runtime.demo.load import ACTOR, demo_owners
from runtime.records import records
from runtime.records.context import Change
from runtime.records.matching import oldest_matching


def _resolved(value: Any, refs: dict[str, int], today: Any, path: str) -> Any:
    if isinstance(value, dict) and set(value) == {"ref"}:
        if value["ref"] not in refs:
            raise InvalidDefinition(f"{path}：示例记录 {value['ref']} 未在前面定义",
                                    f"{path}: no earlier demo record {value['ref']!r}",
                                    issues=[Issue(path, "unknown_ref", f"没有示例记录 {value['ref']}")])
        return refs[value["ref"]]
    if isinstance(value, dict) and set(value) == {"days"}:
        return (today + timedelta(days=int(value["days"]))).isoformat()
    return value


def load_declared(db: Database, template: dict[str, Any], *, now: datetime | None = None,
                  zone: ZoneInfo = ZONE) -> dict[str, int]:
    """Write the template's declared demo records into its app; returns the records written per form."""
    now = now or datetime.now(UTC)
    app_key = str(template["app"] if is_addon(template) else template["key"])
    items = (template.get("demo") or {}).get("records") or []
    demo_owners(db, now)  # the demo people the records name as owners
    today = now.astimezone(zone).date()
    refs: dict[str, int] = {}
    written: dict[str, int] = {}
    change = Change(ACTOR, now, zone)
    with db.write() as conn:
        for i, item in enumerate(items):
            path = f"demo.records[{i}]"
            ref = definitions.form_ref(conn, app_key, item["form"])
            values = {k: _resolved(v, refs, today, f"{path}.values.{k}") for k, v in item.get("values", {}).items()}
            found = oldest_matching(conn, ref, {k: values[k] for k in item["match"]}, change.ctx) if item.get("match") else None
            if found is None:
                record_id = records.create(conn, ref, values, change).id
            else:
                record_id = found
                records.update_record(conn, ref, found, {k: v for k, v in values.items() if k not in item["match"]}, change)
            if item.get("ref"):
                refs[item["ref"]] = record_id
            written[item["form"]] = written.get(item["form"], 0) + 1
    return written


__all__ = ["load_declared"]
