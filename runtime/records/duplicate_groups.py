"""查重: the pairs of a form's stored records that likely duplicate each other (engine/dedup/groups.py), found
by the scan job (runtime/records/duplicate_scan.py) through the duplicate keys (record_dedup_keys) without
comparing records pairwise: the keys two or more live records share are counted in one aggregate, only whole
keys (exact values, a name's whole normalised core) are kept as blocks (an edge, a name's start or end, is
shared by thousands), and only the records within a block are compared; and the groups a reader sees, made
from the stored pairs."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, func, literal, select

from engine.dedup import match
from engine.dedup.groups import Group, Link, linked_groups, links, regional_blocks
from engine.dedup.model import DuplicateRule
from runtime.db.tables import duplicate_links, live, record_dedup_keys, records
from runtime.records.context import FormRef
from runtime.records.duplicates import blocking_scope

_CHUNK = 500


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def _in_chunks(conn: Connection, query: Callable[[Sequence[Any]], Select[Any]], items: Sequence[Any]) -> list[Row[Any]]:
    return [row for chunk in _chunks(items) for row in conn.execute(query(chunk))]


def find_links(
    conn: Connection, ref: FormRef, rules: Sequence[DuplicateRule], progress: Callable[[int, int], None] | None = None
) -> list[Link]:
    """The pairs of the form's live records that `rules` find likely duplicates (the 查重 scan's work, over
    every record: a reader's groups are made from these by `stored_groups`); `progress(done, total)` after each
    chunk of candidate records read.

    Every step is driven by the keys' primary-key index: the shared keys from a covering scan (a key is a
    digest of app, form and rule, so no join is needed to tell forms apart), then their values and members by
    key, and only the members' records are read, by id, where liveness is applied (a block left with one
    record makes no pair); a company name's block is split by region before any record is read
    (engine/dedup/groups.py regional_blocks). Joining records first let SQLite, which keeps no planner
    statistics, walk every record of the form once per key: 34 s at 20k customers, 0.6 s this way."""
    if not rules:
        return []
    key, value = record_dedup_keys.c.key, record_dedup_keys.c.value
    record_id = record_dedup_keys.c.record_id
    shared = [k for (k,) in conn.execute(select(key).group_by(key).having(func.count() > 1))]
    values = _in_chunks(conn, lambda c: select(key, func.min(value)).where(key.in_(c)).group_by(key), shared)
    scope = blocking_scope(ref)
    whole = [k for k, v in values if match.is_whole_key(scope, ref.form.duplicate_rules, k, v)]
    members = _in_chunks(conn, lambda c: select(key, record_id, value).where(key.in_(c)), whole)
    blocks = regional_blocks((k, i, v) for k, i, v in members)
    of_form = [records.c.app == ref.app_key, records.c.form == ref.form.key, live()]
    ids = sorted({i for block in blocks for i in block})
    datas: dict[int, Any] = {}
    for chunk in _chunks(ids):
        datas.update((r.id, r.data) for r in conn.execute(select(records.c.id, records.c.data).where(
            records.c.id.in_(chunk), *of_form)))
        if progress is not None:
            progress(len(datas), len(ids))
    return links(rules, blocks, datas)


def stored_groups(
    conn: Connection, ref: FormRef, rule_keys: Collection[str], readable: ColumnElement[bool] | None
) -> list[Group]:
    """The groups of the form's last scan as a reader sees them now: only pairs found by `rule_keys` (the
    rules they may know of) between live records `readable` reaches (None: all), so a record merged,
    deleted or out of their reach since leaves its group, and a group left with one record is gone."""
    if not rule_keys:
        return []
    c = duplicate_links.c
    of_form = [records.c.app == ref.app_key, records.c.form == ref.form.key, live()]
    if readable is not None:
        of_form.append(readable)

    def seen(record: ColumnElement[Any]) -> ColumnElement[bool]:
        # a probe per pair's record in the same query (no list of ids sent back and forth); on SQLite by the
        # form's live-records index, not the rowid, which read each record's row through its data: 2.4× slower
        probe = select(literal(1)).select_from(records).where(records.c.id == record, *of_form)
        return probe.with_hint(records, "INDEXED BY ix_records_form_id", "sqlite").exists()

    pairs = conn.execute(select(c.first_id, c.second_id, c.rule).where(
        c.app == ref.app_key, c.form == ref.form.key, c.rule.in_(sorted(rule_keys)), seen(c.first_id),
        seen(c.second_id)))
    return linked_groups((a, b, rule) for a, b, rule in pairs)

__all__ = ["find_links", "stored_groups"]
