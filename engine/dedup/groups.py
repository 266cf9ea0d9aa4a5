"""Groups of stored records that likely duplicate each other (the 查重 page), built from blocks: the records
filed under one whole key (engine/dedup/match.py) are compared among themselves only, and records linked by
any rule end in one group (a union of pairs). Nothing is compared across blocks: no pairwise scan."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from engine.dedup.match import compare
from engine.dedup.model import DuplicateRule

MAX_BLOCK = 200
"""Most records of one block compared pairwise (a key shared by more is a common value, not a name)."""


@dataclass(frozen=True)
class Group:
    """Records that likely duplicate each other, and the rules that linked them."""

    record_ids: tuple[int, ...]
    rules: tuple[str, ...]


def _root(parent: dict[int, int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def group(
    rules: Sequence[DuplicateRule], blocks: Iterable[Sequence[int]], datas: Mapping[int, Mapping[str, object]]
) -> list[Group]:
    """The groups of records (`datas`: id → data) that `rules` match, pairs looked for within `blocks` only
    (ids without data are left out), largest first, then by their first record."""
    parent: dict[int, int] = {}
    linked_by: dict[int, set[str]] = {}
    for block in blocks:
        ids = sorted({i for i in block if i in datas})[:MAX_BLOCK]
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                for rule in rules:
                    found = compare(rule, datas[a], b, datas[b])
                    if found is None or found.relation != "duplicate":
                        continue
                    parent.setdefault(a, a)
                    parent.setdefault(b, b)
                    ra, rb = _root(parent, a), _root(parent, b)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
                    linked_by.setdefault(a, set()).add(rule.key)
                    break
    members: dict[int, list[int]] = {}
    for i in parent:
        members.setdefault(_root(parent, i), []).append(i)
    groups = [
        Group(tuple(sorted(ids)), tuple(sorted({r for i in ids for r in linked_by.get(i, ())}))) for ids in members.values()
    ]
    return sorted(groups, key=lambda g: (-len(g.record_ids), g.record_ids[0]))


__all__ = ["MAX_BLOCK", "Group", "group"]
