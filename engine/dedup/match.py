"""The matcher: blocking keys a record is stored under, and the comparison of a draft with candidates.

Checking a draft against a million records must not read them all. Each record is filed under a few
blocking keys per rule: the folded values of the rule's exact fields together, or (a rule with only
similar fields) the normalised text whole, then its first three and its last four characters (a typo
elsewhere still meets). A draft's candidates are the records sharing a key, the whole text's first (an
edge is shared by many: 科技, 机械); only they are compared, by rapidfuzz, here.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz, process

from engine.dedup.company import CompanyName, fold, parse_company, regions_agree
from engine.dedup.model import DuplicateField, DuplicateRule

_HEAD, _TAIL = 3, 4  # characters of a normalised name's start and end that file it
MAX_VALUE = 200  # characters of a normalised value kept beside its key
REGION_PENALTY = 5  # points a name loses against one that does not say its region


def _text(value: Any) -> str:
    return fold(str(value)) if value not in (None, "") else ""


def normalised(compared: DuplicateField, value: Any) -> str:
    """What a field's value compares as: the company core (with its branch), or the folded text."""
    if compared.match == "company":
        return parse_company(str(value or "")).core
    return _text(value)


def _digest(*parts: str) -> str:
    # Fixed-size keys keep the index small whatever the values; a collision only adds a candidate.
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=12).hexdigest()


def blocking_keys(scope: str, rule: DuplicateRule, data: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """The keys a record is filed under for one rule (`scope`: app and form), the narrowest first, each
    with the normalised text of a similar rule's first field (None for exact rules), which a check
    compares before reading any record; none when a compared field is empty (it matches nothing)."""
    exact = [_text(data.get(k)) for k in rule.exact]
    if any(not v for v in exact):
        return []
    if exact:
        return [(_digest(scope, rule.key, *exact), None)]
    first = rule.similar[0]
    text = normalised(first, data.get(first.field))
    if not text:
        return []
    edges = ["<" + text[:_HEAD], ">" + text[-_TAIL:]] if len(text) > _TAIL else []
    value = filed(first, data.get(first.field))
    return [(k, value) for k in dict.fromkeys(_digest(scope, rule.key, k) for k in [text, *edges])]


def filed(compared: DuplicateField, value: Any) -> str:
    """What is kept beside a similar rule's keys: a company's region and core (苏州|恒瑞精密机械), else the
    normalised text; enough to set most candidates aside without reading them."""
    if compared.match == "company":
        name = parse_company(str(value or ""))
        return f"{name.region or ''}|{name.core}"[:MAX_VALUE]
    return normalised(compared, value)[:MAX_VALUE]


def is_whole_key(scope: str, rules: Sequence[DuplicateRule], key: str, value: str | None) -> bool:
    """Whether a filed key is a rule's whole key (its exact values, or a similar rule's whole normalised
    text), not an edge (a name's start or end, shared by many): a key with no value is an exact rule's;
    otherwise the value (`filed`) gives the text back, whose digest is the whole key."""
    if value is None:
        return True
    for rule in rules:
        if rule.exact or not rule.similar:
            continue
        text = value.split("|", 1)[-1] if rule.similar[0].match == "company" else value
        if text and _digest(scope, rule.key, text) == key:
            return True
    return False


def record_keys(scope: str, rules: Sequence[DuplicateRule], data: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """Every blocking key of a record under a form's rules (with its value), the narrowest first: the
    exact and whole keys of every rule, then the edges."""
    per_rule = [blocking_keys(scope, rule, data) for rule in rules]
    ordered = [keys[0] for keys in per_rule if keys] + [k for keys in per_rule for k in keys[1:]]
    return list(dict.fromkeys(ordered))


def may_match(rule: DuplicateRule, asked: str | None, stored: str | None) -> bool:
    """Whether a filed value (`filed`) may reach the rule's threshold against the draft's: a cheap test
    before the record is read (another region rules a company out; a region not said may still cost a
    few points, hence the margin)."""
    if asked is None or stored is None:
        return True
    if rule.similar[0].match == "company":
        (region, asked), (other, stored) = asked.split("|", 1), stored.split("|", 1)
        if region and other and region != other:
            return False
    return fuzz.ratio(asked, stored) >= rule.threshold - REGION_PENALTY


class FiledValues:
    """One blocking key's filed values (`filed`) in the order they were filed, grouped by a company's
    region: `may_match` sets another region aside, and grouped they are set aside without being looked at
    (an import checks each row against thousands of earlier rows filed under a common edge)."""

    def __init__(self) -> None:
        self.values: list[str | None] = []
        self.cores: list[str] = []  # a company's core (after its region), else the value
        self.regions: dict[str | None, list[int]] = {}  # region ("" not said; None: no value) → positions

    def append(self, value: str | None) -> None:
        region, _, core = (None, "", "") if value is None else value.partition("|") if "|" in value else ("\0", "", value)
        self.regions.setdefault(region, []).append(len(self.values))
        self.values.append(value)
        self.cores.append(core)

    def __len__(self) -> int:
        return len(self.values)


def may_match_many(rule: DuplicateRule, asked: str | None, filed: FiledValues, limit: int) -> list[int]:
    """The positions, in order, of the first `limit` filed values that `may_match` the draft's: the same
    test, with other regions skipped by group and the comparisons made in one call of rapidfuzz's."""
    if asked is None:
        return list(range(min(limit, len(filed))))
    cut = rule.threshold - REGION_PENALTY
    kept = list(itertools.takewhile(lambda p: p < limit, filed.regions.get(None, [])))
    if rule.similar[0].match != "company":
        found = process.extract(asked, filed.values[:limit], scorer=fuzz.ratio, score_cutoff=cut, limit=None)
        return sorted(kept + [position for _, _, position in found])
    region, core = asked.split("|", 1)
    groups = [filed.regions.get(region, []), filed.regions.get("", [])] if region else [
        positions for other, positions in filed.regions.items() if other is not None]
    choices = {p: filed.cores[p] for positions in groups for p in itertools.takewhile(lambda p: p < limit, positions)}
    if choices:
        kept += [position for _, _, position in process.extract(core, choices, scorer=fuzz.ratio, score_cutoff=cut,
                                                                limit=None)]
    return sorted(kept)


Relation = Literal["duplicate", "branch"]


@dataclass(frozen=True)
class Match:
    """A stored record the draft likely duplicates (or, `branch`, is a branch or parent of)."""

    rule: str
    record_id: int
    score: int
    relation: Relation


def _similarity(compared: DuplicateField, a: Any, b: Any) -> tuple[float, bool]:
    """The similarity (0–100) of two values, and whether they are a company and its branch."""
    if compared.match != "company":
        x, y = _text(a), _text(b)
        return (fuzz.ratio(x, y) if compared.match == "fuzzy" else 100.0 * (x == y)) if x and y else 0.0, False
    p, q = parse_company(str(a or "")), parse_company(str(b or ""))
    if not (p.core and q.core) or not regions_agree(p, q):
        return 0.0, False
    score = fuzz.ratio(p.core, q.core)
    if p.region != q.region:  # one says where, the other does not: likely the same, less sure
        score -= REGION_PENALTY
    return score, p.branch != q.branch


def compare(rule: DuplicateRule, draft: Mapping[str, Any], record_id: int, stored: Mapping[str, Any]) -> Match | None:
    """How a stored record relates to the draft under one rule, or None when it does not match."""
    scores, branch = [], False
    for compared in rule.fields:
        score, other_branch = _similarity(compared, draft.get(compared.field), stored.get(compared.field))
        needed = 100 if compared.match == "exact" else rule.threshold
        if score < needed:
            return None
        scores.append(score)
        branch = branch or other_branch
    return Match(rule.key, record_id, round(min(scores)), "branch" if branch else "duplicate")


def find(
    rules: Sequence[DuplicateRule], draft: Mapping[str, Any], candidates: Mapping[int, Mapping[str, Any]]
) -> list[Match]:
    """The candidates that match the draft, best first, one match per record (its strongest rule)."""
    best: dict[int, Match] = {}
    for record_id, stored in candidates.items():
        for rule in rules:
            found = compare(rule, draft, record_id, stored)
            if found is None:
                continue
            held = best.get(record_id)
            if held is None or (found.relation, -found.score) < (held.relation, -held.score):
                best[record_id] = found
    return sorted(best.values(), key=lambda m: (m.relation != "duplicate", -m.score, m.record_id))


def same_company(a: str, b: str, threshold: int = 90) -> Match | None:
    """Whether two company names name one company (or a company and its branch): for callers with
    two names in hand, an importer's rows among themselves."""
    rule = DuplicateRule(
        key="company", name="company", fields=[DuplicateField(field="name", match="company")], threshold=threshold
    )
    return compare(rule, {"name": a}, 0, {"name": b})


__all__ = [
    "CompanyName",
    "FiledValues",
    "Match",
    "blocking_keys",
    "compare",
    "find",
    "is_whole_key",
    "may_match",
    "may_match_many",
    "normalised",
    "record_keys",
    "same_company",
]
