"""Likely duplicates of a record, by its form's duplicate rules (engine/dedup): filed, found, refused.

Each record is filed under the blocking keys of engine/dedup/match.py in record_dedup_keys, kept in the
write's transaction by a record-event subscriber and rebuilt when a form's rules change. A check reads the
records sharing a key with the draft (an index probe, never a scan of the form) and compares only those.
The interactive create and edit (API and web form) refuse a write with likely duplicates: `warn` rules
until the user confirms (`allow_duplicates=true`), `block` rules always. Bulk creates, imports and flows
are not checked here; an importer calls `find` for its rows itself, and so does a flow's `create_record`
with `match_duplicates`, to use the record found (records/matching.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, select

from engine.dedup import match
from engine.dedup.match import Match
from engine.errors import Conflict, DuplicateBlocked, PossibleDuplicates
from engine.forms.model import FormDefinition
from runtime.db.tables import live, record_dedup_keys, records
from runtime.records.bulk import write_rows
from runtime.records.context import FormRef
from runtime.records.events import RecordEvent

MAX_CANDIDATES = 200
"""Most records one check reads and compares in full: those whose filed value is close enough."""
MAX_FILED = 2000
"""Most filed values one key gives to compare (rapidfuzz, in C: a millisecond for all of them). An edge
shared by more (…科技 at a million customers) is a common ending, not a name: the whole key and the start
still find the likely duplicates. Edges are probed only when the whole keys found nothing: they are for
a name spelled slightly otherwise (恒瑞精蜜机械)."""
_BATCH = 5000


def _scope(app: str, form: str) -> str:
    return f"{app}/{form}"


def blocking_scope(ref: FormRef) -> str:
    """The scope a form's records are filed under (engine/dedup/match.py's keys): for a reader of the
    filed keys of many drafts at once (an import's dry run)."""
    return _scope(ref.app_key, ref.form.key)


def _rule_fields(form: FormDefinition) -> set[str]:
    return {f.field for rule in form.duplicate_rules for f in rule.fields}


def compares(form: FormDefinition, changed: Mapping[str, Any]) -> bool:
    """Whether a change touches a field the form's duplicate rules compare (only then is an edit checked)."""
    return bool(_rule_fields(form) & set(changed))


def file_records(
    conn: Connection,
    app: str,
    form: FormDefinition,
    ids: Sequence[int],
    datas: Sequence[Mapping[str, Any]],
    *,
    replace: bool = False,
) -> None:
    """File these records under their blocking keys (replace=True: drop their old keys first)."""
    if not form.duplicate_rules:
        return
    if replace:
        conn.execute(delete(record_dedup_keys).where(record_dedup_keys.c.record_id.in_(list(ids))))
    scope = _scope(app, form.key)
    rows = [
        (key, i, value)
        for i, d in zip(ids, datas, strict=True)
        for key, value in match.record_keys(scope, form.duplicate_rules, d)
    ]
    if rows:
        write_rows(conn, "record_dedup_keys", ("key", "record_id", "value"), rows)


def keep_current(conn: Connection, event: RecordEvent) -> None:
    """New records are filed; changed ones again when a compared field changed."""
    form = event.ref.form
    if event.action == "create":
        file_records(conn, event.ref.app_key, form, event.ids, event.after)
    elif event.action == "update" and _rule_fields(form) & event.changed_fields:
        file_records(conn, event.ref.app_key, form, event.ids, event.after, replace=True)


def rebuild(conn: Connection, app: str, form: FormDefinition) -> int:
    """File every record of a form anew (its rules changed); returns the count."""
    of_form = (records.c.app == app) & (records.c.form == form.key)
    conn.execute(
        delete(record_dedup_keys).where(record_dedup_keys.c.record_id.in_(select(records.c.id).where(of_form)))
    )
    done, after = 0, 0
    while form.duplicate_rules:
        batch = conn.execute(
            select(records.c.id, records.c.data)
            .where(of_form, records.c.id > after)
            .order_by(records.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            break
        file_records(conn, app, form, [r.id for r in batch], [r.data for r in batch])
        done, after = done + len(batch), batch[-1].id
    return done


def follow_definition(
    conn: Connection, app: str, old: FormDefinition | None, new: FormDefinition, converted: bool
) -> None:
    """After an upgrade: refile a form whose rules changed or whose values were converted."""
    before = old.duplicate_rules if old is not None else []
    if before != new.duplicate_rules or (converted and new.duplicate_rules):
        rebuild(conn, app, new)


def find(conn: Connection, ref: FormRef, draft: Mapping[str, Any], exclude: Sequence[int] = ()) -> list[Match]:
    """The live records of the form that the draft (normalised data) likely duplicates, best first;
    `exclude`: the record itself when it is being edited. A plain function for importers too."""
    rules = ref.form.duplicate_rules
    scope = _scope(ref.app_key, ref.form.key)
    per_rule = [[(rule, key, value) for key, value in match.blocking_keys(scope, rule, draft)] for rule in rules]
    whole = [keys[0] for keys in per_rule if keys]
    edges = [k for keys in per_rule for k in keys[1:]]
    ids: dict[int, None] = {}  # in the order found: the narrowest keys' records first
    for i, (rule, key, value) in enumerate(whole + edges):  # one index probe per key, the narrowest first
        if i == len(whole) and ids:
            break  # same values or the same name: the likely duplicates, no need for near spellings
        filed = conn.execute(
            select(record_dedup_keys.c.record_id, record_dedup_keys.c.value)
            .where(record_dedup_keys.c.key == key)
            .limit(MAX_FILED)
        )
        ids.update((i, None) for i, stored in filed if i not in exclude and match.may_match(rule, value, stored))
        if len(ids) >= MAX_CANDIDATES:
            break
    if not ids:
        return []
    query = select(records.c.id, records.c.data).where(
        records.c.id.in_(list(ids)[:MAX_CANDIDATES]),
        records.c.app == ref.app_key,
        records.c.form == ref.form.key,
        live(),
    )
    return match.find(rules, draft, {r.id: r.data for r in conn.execute(query)})


def blind_rules(form: FormDefinition, unseen: set[str]) -> set[str]:
    """The rules reading a field the actor may not see (hidden or masked): a match under them would tell
    that a record with that value exists, so they never warn and block without naming anything."""
    return {r.key for r in form.duplicate_rules if any(f.field in unseen for f in r.fields)}


def refusal(ref: FormRef, found: Sequence[Match], allow: bool, seen: Sequence[Match] | None = None) -> Conflict | None:
    """The error a write with these matches gets, or None: a `block` rule's duplicate always refuses,
    a `warn` rule's duplicate unless the user allowed it; branches only inform. `seen`: the matches the
    writer may know of (readable records, rules on fields they see; default all): only they warn, and a
    block on others names no record and no value."""
    seen = found if seen is None else seen
    by_rule = {r.key: r for r in ref.form.duplicate_rules}
    blocked = [m for m in found if m.relation == "duplicate" and by_rule[m.rule].action == "block"]
    shown_blocked = [m for m in blocked if m in seen]
    if blocked and not shown_blocked:
        return DuplicateBlocked("与已有记录重复，不能保存", "duplicates a stored record; not saved")
    if shown_blocked:
        rule = by_rule[shown_blocked[0].rule]
        return DuplicateBlocked(
            f"与已有记录重复（{rule.name}），不能保存",
            f"duplicates a stored record ({rule.key}); not saved",
            record_ids=",".join(str(m.record_id) for m in shown_blocked),
        )
    same = [m for m in seen if m.relation == "duplicate"]
    if same and not allow:
        return PossibleDuplicates(
            f"可能与 {len(same)} 条已有记录重复；确认无误后可仍然保存",
            f"looks like {len(same)} stored record(s); save with allow_duplicates=true to keep it anyway",
            record_ids=",".join(str(m.record_id) for m in same),
        )
    return None


def matches_json(ref: FormRef, found: Sequence[Match], titles: Mapping[int, str]) -> list[dict[str, Any]]:
    """The matches for the API: id, title (as the reader may see it), rule, its name and action, score,
    relation, and the record's page."""
    by_rule = {r.key: r for r in ref.form.duplicate_rules}
    return [
        {
            "id": m.record_id,
            "title": titles.get(m.record_id, f"#{m.record_id}"),
            "rule": m.rule,
            "rule_name": by_rule[m.rule].name,
            "action": by_rule[m.rule].action,
            "score": m.score,
            "relation": m.relation,
            "url": f"/apps/{ref.app_key}/forms/{ref.form.key}/records/{m.record_id}",
        }
        for m in found
    ]


__all__ = [
    "MAX_CANDIDATES",
    "MAX_FILED",
    "blind_rules",
    "blocking_scope",
    "compares",
    "file_records",
    "find",
    "follow_definition",
    "keep_current",
    "matches_json",
    "rebuild",
    "refusal",
]
