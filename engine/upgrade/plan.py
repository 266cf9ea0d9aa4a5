"""An app's upgrade to a new template version, planned: the merge of the three definitions, the
administrator's choices checked against its conflicts, and the merged definition validated like any other."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.app import AppDefinition
from engine.app_check import parse_app
from engine.errors import BadQuery, Conflict, EngineError, Issue
from engine.upgrade.merge import Merge, Side, merge
from engine.upgrade.rekey import rekey


class UpgradeConflicts(Conflict):
    """Conflicts of a template upgrade are left without a choice: nothing is applied."""

    code = "upgrade_conflicts"


@dataclass(frozen=True)
class UpgradePlan:
    """The merge, and the merged definition once it validates (`issues` otherwise)."""

    merge: Merge
    definition: AppDefinition | None
    issues: list[Issue]

    def as_dict(self) -> dict[str, Any]:
        """The preview as the API answers it."""
        m = self.merge
        return {"added": [p.as_dict() for p in m.added], "updated": [p.as_dict() for p in m.updated],
                "removed": [p.as_dict() for p in m.removed], "kept": [p.as_dict() for p in m.kept],
                "conflicts": [c.as_dict() for c in m.conflicts],
                "unresolved": [c.path for c in m.unresolved],
                "issues": [i.as_dict() for i in self.issues]}

    def ready(self) -> AppDefinition:
        """The definition to publish; UpgradeConflicts naming every unchosen conflict, or the validation error."""
        unresolved = self.merge.unresolved
        if unresolved:
            paths = ", ".join(c.path for c in unresolved)
            raise UpgradeConflicts(
                f"还有 {len(unresolved)} 处冲突未选择（{paths}）：请为每一处选择保留本地或采用模板",
                f"{len(unresolved)} conflict(s) have no choice ({paths}): choose ours or theirs for each",
                issues=[Issue(c.path, "conflict", "本地与新模板都修改了此处", "changed both locally and by the template")
                        for c in unresolved])
        if self.definition is None:
            parse_app(self.merge.merged)  # raises InvalidDefinition with every issue
        assert self.definition is not None
        return self.definition


def parse_choices(raw: Any) -> dict[str, Side]:
    """`{"path": "ours" | "theirs"}`; BadQuery naming the first entry that is neither."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadQuery("choices 应为 {路径: ours 或 theirs}", "choices must be an object {path: ours|theirs}",
                       field="choices")
    for path, side in raw.items():
        if side not in ("ours", "theirs"):
            raise BadQuery(f"冲突 {path} 的选择应为 ours 或 theirs", f"the choice for {path} must be ours or theirs",
                           field=f"choices.{path}")
    return dict(raw)


def plan_upgrade(base: AppDefinition, theirs: AppDefinition, ours: AppDefinition,
                 choices: Mapping[str, Side] | None = None) -> UpgradePlan:
    """Merge the template's change from `base` to `theirs` into the app's `ours` (the template's key
    rewritten to the app's: a copy upgrades too); BadQuery for a choice naming no conflict."""
    result = merge(rekey(base.dump(), ours.key), rekey(theirs.dump(), ours.key), ours.dump(), choices)
    conflicts = {c.path for c in result.conflicts}
    for path in choices or {}:
        if path not in conflicts:
            raise BadQuery(f"没有这处冲突：{path}", f"no conflict at {path}", field=f"choices.{path}")
    try:
        return UpgradePlan(result, parse_app(result.merged), [])
    except EngineError as e:
        return UpgradePlan(result, None, e.issues)


__all__ = ["UpgradeConflicts", "UpgradePlan", "parse_choices", "plan_upgrade"]
