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


def regional_blocks(members: Iterable[tuple[str, int, str | None]]) -> list[list[int]]:
    """Blocks of record ids from (key, record id, filed value) rows, a company name's block split by region:
    records of one region, with those whose name says none, since another region rules a company out
    (match.may_match) — a common core shared across cities (苏州 / 杭州 X 有限公司) is then never compared
    across them, nor its records read. Blocks of one record are left out."""
    by_key: dict[str, dict[str | None, list[int]]] = {}
    for key, record_id, value in members:
        region = value.partition("|")[0] if value is not None and "|" in value else None
        by_key.setdefault(key, {}).setdefault(region, []).append(record_id)
    blocks: list[list[int]] = []
    for regions in by_key.values():
        unsaid = regions.pop("", [])
        named = [ids + unsaid for ids in regions.values()] or [unsaid]
        blocks += [ids for ids in named if len(ids) > 1]
    return blocks


def _root(parent: dict[int, int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


Link = tuple[int, int, str]
"""Two records a rule finds likely duplicates: (smaller id, larger id, rule key)."""


def links(
    rules: Sequence[DuplicateRule], blocks: Iterable[Sequence[int]], datas: Mapping[int, Mapping[str, object]]
) -> list[Link]:
    """Every pair of records (`datas`: id → data) within one of `blocks` that a rule matches, with each rule that
    does (ids without data are left out): kept whole, a reader's groups can be made later from the rules they
    may know of alone (linked_groups)."""
    found: set[Link] = set()
    for block in blocks:
        ids = sorted({i for i in block if i in datas})[:MAX_BLOCK]
        for n, a in enumerate(ids):
            for b in ids[n + 1 :]:
                for rule in rules:
                    match = compare(rule, datas[a], b, datas[b])
                    if match is not None and match.relation == "duplicate":
                        found.add((a, b, rule.key))
    return sorted(found)


def linked_groups(pairs: Iterable[Link]) -> list[Group]:
    """The groups `pairs` make (records linked by any rule end in one group), largest first, then by their
    first record."""
    parent: dict[int, int] = {}
    rules_of: dict[int, set[str]] = {}
    for a, b, rule in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = _root(parent, a), _root(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        rules_of.setdefault(a, set()).add(rule)
    members: dict[int, list[int]] = {}
    for i in parent:
        members.setdefault(_root(parent, i), []).append(i)
    groups = [
        Group(tuple(sorted(ids)), tuple(sorted({r for i in ids for r in rules_of.get(i, ())}))) for ids in members.values()
    ]
    return sorted(groups, key=lambda g: (-len(g.record_ids), g.record_ids[0]))


def group(
    rules: Sequence[DuplicateRule], blocks: Iterable[Sequence[int]], datas: Mapping[int, Mapping[str, object]]
) -> list[Group]:
    """The groups of records (`datas`: id → data) that `rules` match, pairs looked for within `blocks` only
    (ids without data are left out), largest first, then by their first record."""
    return linked_groups(links(rules, blocks, datas))


__all__ = ["MAX_BLOCK", "Group", "Link", "group", "linked_groups", "links", "regional_blocks"]
