"""查重: the groups of a form's stored records that likely duplicate each other (engine/dedup/groups.py), found
through the duplicate keys (record_dedup_keys) without comparing records pairwise: the keys two or more
live records share are counted in one aggregate, only whole keys (exact values, a name's whole normalised
core) are kept as blocks (an edge, a name's start or end, is shared by thousands), and only the records
within a block are compared."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from engine.dedup import match
from engine.dedup.groups import Group, group
from engine.dedup.model import DuplicateRule
from runtime.db.tables import live, record_dedup_keys, records
from runtime.records.context import FormRef
from runtime.records.duplicates import blocking_scope

_CHUNK = 500


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


def find_groups(
    conn: Connection, ref: FormRef, rules: Sequence[DuplicateRule], readable: ColumnElement[bool] | None
) -> list[Group]:
    """The groups of likely duplicates among the form's live records `readable` reaches (None: all), under
    `rules` (those the reader may know of), largest first."""
    if not rules:
        return []
    key = record_dedup_keys.c.key
    of_form = [records.c.app == ref.app_key, records.c.form == ref.form.key, live()]
    if readable is not None:
        of_form.append(readable)
    joined = record_dedup_keys.join(records, records.c.id == record_dedup_keys.c.record_id)
    shared = (
        select(key, func.min(record_dedup_keys.c.value))
        .select_from(joined)
        .where(*of_form)
        .group_by(key)
        .having(func.count() > 1)
    )
    scope = blocking_scope(ref)
    whole = [k for k, value in conn.execute(shared) if match.is_whole_key(scope, ref.form.duplicate_rules, k, value)]
    blocks: dict[str, list[int]] = {}
    for chunk in _chunks(whole):
        members = select(key, record_dedup_keys.c.record_id).select_from(joined).where(key.in_(chunk), *of_form)
        for k, record_id in conn.execute(members):
            blocks.setdefault(k, []).append(record_id)
    ids = sorted({i for block in blocks.values() for i in block})
    datas: dict[int, Any] = {}
    for chunk in _chunks(ids):
        datas.update((r.id, r.data) for r in conn.execute(select(records.c.id, records.c.data).where(records.c.id.in_(chunk))))
    return group(rules, blocks.values(), datas)


__all__ = ["find_groups"]
