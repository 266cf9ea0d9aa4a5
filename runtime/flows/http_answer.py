"""Keeping an HTTP step's answer: fields of the flow's record set from it (订单.ERP单号 ← Result.Number), and the
list it holds upserted into a form by a key field (a scheduled pull of the ERP's customers). Record writes go
through records.py like any flow write (validation, history, triggers), in the flow's name."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from engine.errors import BadQuery
from engine.flows.http_template import mapped, pick
from runtime.apps import definitions
from runtime.flows import flows
from runtime.records import records
from runtime.records.context import SYSTEM, Actor, Change
from runtime.records.matching import oldest_matching


def keep(conn: Connection, instance_id: int, request: dict[str, Any], answer: dict[str, Any], now: datetime,
         tz: ZoneInfo) -> dict[str, int]:
    """Write the answer where the step says; how many records were updated and created."""
    row = flows.get(conn, instance_id)
    change = Change(Actor(row.submitter) if row.submitter else SYSTEM, now, tz)
    counts = {"updated": 0, "created": 0}
    with flows.carrying_out(row.app, row.flow, row.record_id):  # its own writes never start the flow again
        if request.get("set") and row.record_id is not None:
            ref = definitions.form_ref(conn, row.app, row.form)
            records.update_record(conn, ref, row.record_id, mapped(answer, request["set"]), change)
            counts["updated"] += 1
        if request.get("records"):
            _upsert(conn, row.app, request["records"], answer, change, counts)
    return counts


def _upsert(conn: Connection, app: str, spec: dict[str, Any], answer: dict[str, Any], change: Change,
            counts: dict[str, int]) -> None:
    items = pick(answer, spec["list"])
    if isinstance(items, dict):  # an answer that is one record (a created customer) is a list of one
        items = [items]
    if not isinstance(items, list):
        raise BadQuery(f"应答中 {spec['list']} 不是列表", f"{spec['list']} in the answer is not a list",
                       field="records.list")
    limit = spec.get("max_items", 1000)
    if len(items) > limit:
        raise BadQuery(f"应答列表有 {len(items)} 条，超过上限 {limit}", f"the answer's list has {len(items)} items, "
                       f"more than max_items {limit}", field="records.max_items")
    ref = definitions.form_ref(conn, app, spec["form"])
    for item in items:
        values = mapped({**answer, "item": item}, spec["values"])
        key = values.get(spec["key"])
        if key is None or key == "":
            continue  # an item without its key cannot be matched again: left out rather than duplicated
        found = oldest_matching(conn, ref, {spec["key"]: key}, change.ctx)
        if found is None:
            records.create(conn, ref, values, change)
            counts["created"] += 1
        else:
            records.update_record(conn, ref, found, values, change)
            counts["updated"] += 1


__all__ = ["keep"]
