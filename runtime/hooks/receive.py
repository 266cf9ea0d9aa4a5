"""One delivery of an inbound hook, written: the payload mapped to field values (engine/hooks/mapping.py),
then a new record, the record its upsert key finds (or a new one), or a new record with its flow started —
all in the caller's transaction, so a bad payload writes nothing. Issues about field values are reported at
the payload path they came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from engine.app import AppDefinition
from engine.errors import BadQuery, Issue, ValidationFailed
from engine.expr.evaluate import EvalContext
from engine.forms.validate import normalize_values
from engine.hooks.mapping import check_expression, map_payload, payload_issues, source_path
from engine.hooks.model import HookLookup, InboundHook
from engine.limits import Limits
from runtime.flows import flows
from runtime.records import records
from runtime.records.context import Actor, Change, FormRef
from runtime.records.matching import matching


def hook_actor(hook: InboundHook) -> Actor:
    """Who a hook's writes are made by, in history and the audit log: the hook itself, `hook:<key>`."""
    return Actor(f"hook:{hook.key}"[:64], via="hook")


@dataclass(frozen=True)
class Written:
    """What a delivery did: created, updated, unchanged or flow; the record; the flow instance started."""

    outcome: str
    record_id: int
    version: int
    instance_id: int | None = None

    def answer(self, form: str) -> dict[str, Any]:
        body: dict[str, Any] = {"outcome": self.outcome, "form": form, "record_id": self.record_id,
                                "version": self.version}
        if self.instance_id is not None:
            body["flow_instance_id"] = self.instance_id
        return body


def _invalid(issues: list[Issue]) -> ValidationFailed:
    return ValidationFailed("数据不符合接口的映射", "the payload does not fit the hook's mapping", issues=issues)


def _found(conn: Connection, ref: FormRef, hook: InboundHook, values: dict[str, Any], change: Change) -> int | None:
    """The live record whose upsert key fields equal the mapped values (blank keys are refused: they match nothing)."""
    blank = [k for k in hook.upsert_key if values.get(k) in (None, "")]
    if blank:
        raise _invalid([Issue(source_path(check_expression(hook.mapping[k], ref.form), k), "required",
                              f"查找字段 {k} 为空，无法确定要更新的记录", f"the upsert key {k} is blank (field {k})")
                        for k in blank])
    try:  # the keys' values as the form takes them (a phone in another format, text with U+0000 refused)
        keys = normalize_values(ref.form, {k: values[k] for k in hook.upsert_key}, change.ctx, existing={})
    except ValidationFailed as e:
        raise _invalid(payload_issues(e.issues, hook.mapping, ref.form)) from None
    ids = matching(conn, ref, {k: keys[k] for k in hook.upsert_key}, change.ctx, limit=2)
    if len(ids) > 1:
        raise _invalid([Issue(f"upsert_key.{hook.upsert_key[0]}", "ambiguous", "查找字段对应多条记录，无法确定要更新哪一条",
                              "the upsert key matches more than one record")])
    return ids[0] if ids else None


def _places(ref: FormRef, hook: InboundHook, key: str, values: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """Where a lookup's values are: (payload path, the dict holding the value, its key) — the record's own
    relation (`customer`), or that column in every row of a sub-table (`lines.product`)."""
    field, _, column = key.partition(".")
    where = source_path(check_expression(hook.mapping[field], ref.form), field)
    if not column:
        return [(where, values, field)]
    rows = values.get(field)
    return [(f"{where}[{i}].{column}", row, column) for i, row in enumerate(rows if isinstance(rows, list) else [])
            if isinstance(row, dict)]


def _target(ref: FormRef, key: str) -> FormRef:
    """The form a lookup's relation (of the form, or a sub-table's column) points at."""
    field, _, column = key.partition(".")
    relation = ref.form.field(field)
    if column:
        relation = next(c for c in getattr(relation, "fields", []) if c.key == column)
    return FormRef(ref.app, ref.version, ref.app.form(relation.target))  # type: ignore[attr-defined]


def _looked_up(conn: Connection, ref: FormRef, hook: InboundHook, document: Any, values: dict[str, Any],
               change: Change) -> dict[str, Any]:
    """`values` with each looked-up relation's value (a code, a name, a product's SKU in each row of a sub-table)
    replaced by the id of the record it names (made when the lookup says `create`); every value that names
    none, or several, is reported at its payload path (`payload.order.lines[2].sku`)."""
    issues: list[Issue] = []
    for key, lookup in hook.lookups.items():
        target = _target(ref, key)
        for where, holder, name in _places(ref, hook, key, values):
            value = holder.get(name)
            if value is None or value == "":
                continue  # blank: the relation is left blank (or `required` refuses it, at the same path)
            try:
                found = matching(conn, target, {lookup.by: value}, change.ctx, limit=2)
            except BadQuery as e:  # not a value the field could hold (text for a number, no such option)
                issues.append(Issue(where, "lookup_invalid", f"按“{lookup.by}”查找{target.form.name}：{e.message}（字段 {key}）",
                                    f"looking up {target.form.key} by {lookup.by}: {e.message_en or e.message} "
                                    f"(field {key})"))
                continue
            if len(found) > 1:
                issues.append(Issue(where, "ambiguous", f"{target.form.name}中“{lookup.by}”为 {value} 的记录不止一条（字段 {key}）",
                                    f"more than one {target.form.key} has {lookup.by} = {value!r} (field {key})"))
            elif found:
                holder[name] = found[0]
            elif lookup.create is not None:
                holder[name] = _made(conn, target, hook, key, lookup, value, document, change, issues)
            else:
                issues.append(Issue(where, "not_found", f"{target.form.name}中没有“{lookup.by}”为 {value} 的记录（字段 {key}）",
                                    f"no {target.form.key} has {lookup.by} = {value!r} (field {key})"))
    if issues:
        raise _invalid(issues)
    return values


def _made(conn: Connection, target: FormRef, hook: InboundHook, key: str, lookup: HookLookup, value: Any,
          document: Any, change: Change, issues: list[Issue]) -> int | None:
    """The related record a lookup creates: `by` = the value, and its `create` fields from the payload."""
    create = lookup.create or {}
    try:
        made = map_payload(create, target.form, document, EvalContext(change.now, change.timezone))
        return records.create(conn, target, {**made, lookup.by: value}, change).id
    except ValidationFailed as e:
        for issue in payload_issues(e.issues, {**create, lookup.by: hook.mapping[key]}, target.form):
            issues.append(Issue(issue.path, issue.code, f"新建{target.form.name}：{issue.message}",
                                f"creating {target.form.key}: {issue.message_en or issue.message}"))
        return None


def write(conn: Connection, app: AppDefinition, version: int, hook: InboundHook, document: Any, now: datetime,
          tz: ZoneInfo, limits: Limits) -> Written:
    """Write one delivery's payload as the hook says; ValidationFailed (at payload paths) writes nothing."""
    ref = FormRef(app, version, app.form(hook.form))
    change = Change(hook_actor(hook), now, tz, limits=limits)
    values = map_payload(hook.mapping, ref.form, document, EvalContext(now, tz))
    if hook.lookups:
        values = _looked_up(conn, ref, hook, document, values, change)
    existing = _found(conn, ref, hook, values, change) if hook.mode == "upsert" else None
    try:
        if existing is not None:
            before = records.get(conn, ref, existing).version
            row = records.update_record(conn, ref, existing, values, change)
            return Written("updated" if row.version != before else "unchanged", existing, row.version)
        made = records.create(conn, ref, values, change)
    except ValidationFailed as e:
        raise _invalid(payload_issues(e.issues, hook.mapping, ref.form)) from None
    if hook.mode == "flow":
        assert hook.flow is not None  # the model sees to it
        instance = flows.start(conn, app.key, hook.flow, made.id, change.actor, now, tz)
        return Written("flow", made.id, made.version, instance.id)
    return Written("created", made.id, made.version)


__all__ = ["Written", "hook_actor", "write"]
