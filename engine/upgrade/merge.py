"""Three-way merge of definitions as JSON data: base (the template version an app was installed from),
theirs (the new template version) and ours (the app's current definition).

Things are matched by what names them, not by position: dict entries by name, list items by their `key`
(forms, fields, flows, approval steps, dashboards, widgets, roles, print templates, duplicate rules) or
their `value` (a select's options). Lists
of plain values (search fields, a multi-select's default) merge as sets: what either side added is in, what one
side removed and the other kept is out. Lists of objects only some of which have a key (a flow's steps:
approvals keyed, actions and conditions not) match the keyed ones by key and the others by their order among
the unkeyed, named by their index in base, while all three sides keep as many unkeyed ones; else the list
is one value.

Where only one side changed something, that side wins; where both changed it differently, the merge
records a conflict at the path of the smallest part both touched (`flows[quote_approval].steps[3].branches[0].when`)
and takes the administrator's choice for that path, or (until there is one) keeps ours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Side = Literal["ours", "theirs"]


class _Missing:
    """Absent on one side: a removed or not yet added part (distinct from a JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
_FLAT: Final = _Missing()
"""Not containers to merge part by part."""


def present(value: Any) -> Any:
    """The value as JSON: None for an absent part."""
    return None if value is MISSING else value


@dataclass(frozen=True)
class Part:
    """One part the merge took from one side: `added`, `updated` or `removed` by the template, or a local
    change `kept`."""

    path: str
    value: Any = None
    before: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "value": present(self.value), "before": present(self.before)}


@dataclass(frozen=True)
class MergeConflict:
    """Both sides changed the same part differently; `choice` is the administrator's, or None."""

    path: str
    base: Any
    ours: Any
    theirs: Any
    choice: Side | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "base": present(self.base), "ours": present(self.ours),
                "theirs": present(self.theirs), "ours_removed": self.ours is MISSING,
                "theirs_removed": self.theirs is MISSING, "choice": self.choice}


@dataclass
class Merge:
    """The merged data (unchosen conflicts keep ours) and what the merge did, part by part."""

    merged: Any = None
    added: list[Part] = field(default_factory=list)
    updated: list[Part] = field(default_factory=list)
    removed: list[Part] = field(default_factory=list)
    kept: list[Part] = field(default_factory=list)
    conflicts: list[MergeConflict] = field(default_factory=list)

    @property
    def unresolved(self) -> list[MergeConflict]:
        """The conflicts still waiting for a choice."""
        return [c for c in self.conflicts if c.choice is None]


def merge(base: Any, theirs: Any, ours: Any, choices: Mapping[str, Side] | None = None) -> Merge:
    """Merge the template's change (base → theirs) into ours; `choices` settle conflicts by path."""
    result = Merge()
    result.merged = _Merger(result, choices or {}).value(base, ours, theirs, "")
    return result


IDENTITIES: Final = ("key", "value")
"""What names a list's items: a key (forms, fields, steps, widgets, roles …), a value (a select's options)."""


def _identity(*lists: list[Any]) -> str | None:
    """The entry that names every item of these lists, uniquely within each; None when there is none."""
    for name in IDENTITIES:
        if all(_named_by(items, name) for items in lists):
            return name
    return None


def _named_by(items: list[Any], name: str) -> bool:
    keys = [i.get(name) for i in items if isinstance(i, dict)]
    return len(keys) == len(items) and all(isinstance(k, str) for k in keys) and len(set(keys)) == len(keys)


Named = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]
"""Base, ours and theirs: each list's items by what names them."""


def _mixed(base: list[Any], ours: list[Any], theirs: list[Any]) -> Named | None:
    """Objects some of which have a key (a flow's steps: approvals keyed, actions and conditions not): the
    keyed ones by key, the others by their order among the unkeyed — named by their index in base — as
    long as all three sides have as many unkeyed items; None otherwise."""
    lists = (base, ours, theirs)
    if not all(isinstance(i, dict) for items in lists for i in items):
        return None
    unkeyed = [[i for i in items if not isinstance(i.get("key"), str)] for items in lists]
    keyed = [[i["key"] for i in items if isinstance(i.get("key"), str)] for items in lists]
    if len({len(u) for u in unkeyed}) != 1 or any(len(set(k)) != len(k) for k in keyed):
        return None
    names = [str(n) for n, i in enumerate(base) if not isinstance(i.get("key"), str)]
    def by_name(items: list[Any]) -> dict[str, Any]:
        ordinal = iter(names)
        return {(i["key"] if isinstance(i.get("key"), str) else next(ordinal)): i for i in items}

    return by_name(base), by_name(ours), by_name(theirs)


def _is_plain(items: list[Any]) -> bool:
    return all(isinstance(i, str | int | float | bool) or i is None for i in items)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Merger:
    def __init__(self, result: Merge, choices: Mapping[str, Side]) -> None:
        self.result = result
        self.choices = choices

    def value(self, base: Any, ours: Any, theirs: Any, path: str) -> Any:
        if ours == theirs:
            return ours
        merged = self._structural(base, ours, theirs, path)
        if merged is not _FLAT:
            return merged
        if ours == base:
            self._template_change(base, theirs, path)
            return theirs
        if theirs == base:
            self.result.kept.append(Part(path, ours, base))
            return ours
        return self._conflict(base, ours, theirs, path)

    def _structural(self, base: Any, ours: Any, theirs: Any, path: str) -> Any:
        """Containers of the same shape on all three sides, merged part by part (so that even a one-sided
        change is reported part by part); _FLAT when they are not."""
        if isinstance(base, dict) and isinstance(ours, dict) and isinstance(theirs, dict):
            return self._dict(base, ours, theirs, path)
        if isinstance(base, list) and isinstance(ours, list) and isinstance(theirs, list):
            every = base + ours + theirs
            if (name := _identity(base, ours, theirs)) is not None:
                return self._keyed(({i[name]: i for i in base}, {i[name]: i for i in ours},
                                    {i[name]: i for i in theirs}), path)
            if _is_plain(every):
                return self._set(base, ours, theirs, path)
            if (named := _mixed(base, ours, theirs)) is not None:
                return self._keyed(named, path)
        return _FLAT

    def _template_change(self, base: Any, theirs: Any, path: str) -> None:
        if base is MISSING:
            self.result.added.append(Part(path, theirs))
        elif theirs is MISSING:
            self.result.removed.append(Part(path, None, base))
        else:
            self.result.updated.append(Part(path, theirs, base))

    def _conflict(self, base: Any, ours: Any, theirs: Any, path: str) -> Any:
        choice = self.choices.get(path)
        self.result.conflicts.append(MergeConflict(path, base, ours, theirs, choice))
        return theirs if choice == "theirs" else ours

    def _dict(self, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any], path: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for name in list(ours) + [n for n in theirs if n not in ours]:
            value = self.value(base.get(name, MISSING), ours.get(name, MISSING), theirs.get(name, MISSING),
                               _child(path, name))
            if value is not MISSING:
                merged[name] = value
        return merged

    def _keyed(self, named: Named, path: str) -> list[Any]:
        """Items matched by name, in ours' order; the template's new items go after the item they follow there."""
        b, o, t = named
        order = list(o)
        for position, key in enumerate(t):
            if key in o or key in b:
                continue
            before = [k for k in list(t)[:position] if k in order]
            order.insert(order.index(before[-1]) + 1 if before else 0, key)
        merged = []
        for key in order:
            item = self.value(b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING), f"{path}[{key}]")
            if item is not MISSING:
                merged.append(item)
        for key in b:  # removed by ours: a removal the template's side may have to confirm
            if key not in o and key not in order:
                item = self.value(b[key], MISSING, t.get(key, MISSING), f"{path}[{key}]")
                if item is not MISSING:
                    merged.append(item)
        return merged

    def _set(self, base: list[Any], ours: list[Any], theirs: list[Any], path: str) -> list[Any]:
        """Plain values as a set in ours' order: the template's additions appended, its removals applied."""
        merged = [v for v in ours if v not in base or v in theirs]
        for v in theirs:
            if v not in base and v not in merged:
                merged.append(v)
                self.result.added.append(Part(f"{path}[{v}]", v))
        for v in base:
            if v not in theirs and v in ours:
                self.result.removed.append(Part(f"{path}[{v}]", None, v))
        kept = [v for v in ours if v not in base]
        if kept or any(v not in ours for v in base):
            self.result.kept.append(Part(path, ours, base))
        return merged


__all__ = ["MISSING", "Merge", "MergeConflict", "Part", "Side", "merge", "present"]
