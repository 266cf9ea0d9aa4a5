"""The flow designer's edits on a draft definition: put a whole flow (an import, an undo), copy or remove
one, and the small edits the canvas makes — insert, change, move or remove a step, add or remove a branch.

Each edit returns a new draft; the caller validates the whole app afterwards, so a flow that breaks the
definition is refused with JSON paths (`flows[2].steps[1].approvers.role`) the designer shows on its nodes.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from engine.errors import AlreadyExists, BadQuery, NotFound


def _index(draft: dict[str, Any], key: str) -> int:
    for i, flow in enumerate(draft.get("flows", [])):
        if flow.get("key") == key:
            return i
    raise NotFound(f"流程 {key} 不存在", f"no flow {key!r}")


def put_flow(draft: dict[str, Any], key: str, flow: dict[str, Any]) -> dict[str, Any]:
    """Replace the flow `key` with `flow` (added at the end when the draft has none by that key)."""
    if flow.get("key", key) != key:
        raise BadQuery(f"流程的 key 应为 {key}", f"the flow's key must be {key!r}", field="key")
    new = copy.deepcopy(draft)
    flows = new.setdefault("flows", [])
    try:
        flows[_index(new, key)] = {**flow, "key": key}
    except NotFound:
        flows.append({**flow, "key": key})
    return new


def copy_flow(draft: dict[str, Any], key: str, new_key: str, name: str | None = None) -> dict[str, Any]:
    """A copy of the flow under `new_key`, switched off until its designer switches it on."""
    new = copy.deepcopy(draft)
    original = new["flows"][_index(new, key)]
    if any(f.get("key") == new_key for f in new["flows"]):
        raise AlreadyExists(f"流程 {new_key} 已存在", f"flow {new_key!r} exists already", field="key")
    new["flows"].append({**copy.deepcopy(original), "key": new_key, "name": name or f"{original.get('name', key)}（副本）",
                         "enabled": False})
    return new


def remove_flow(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The draft without the flow `key`."""
    new = copy.deepcopy(draft)
    del new["flows"][_index(new, key)]
    return new


def flow_of(draft: dict[str, Any], key: str) -> dict[str, Any]:
    """The flow `key` of a draft, as JSON."""
    return dict(draft["flows"][_index(draft, key)])




# Step edits. A step is named by its path in the flow (`steps[2]`, `steps[1].branches[0].steps[0]`), the
# same path the engine's issues and the instances use; a position to insert at is such a path whose index
# may be one past the end of its sequence.

_PART = re.compile(r"^(steps|branches)\[(\d+)\]$")


def _walk(flow: dict[str, Any], path: str) -> tuple[list[Any], int]:
    """The list that holds the step (or branch) at `path`, and its index there."""
    parts = path.split(".")
    holder: Any = flow
    for i, part in enumerate(parts):
        match = _PART.match(part)
        expected = "steps" if i % 2 == 0 else "branches"
        if match is None or match.group(1) != expected:
            raise BadQuery(f"步骤路径 {path} 无效", f"invalid step path {path!r}", field="path")
        if isinstance(holder, dict) and expected == "steps" and "steps" not in holder:
            holder["steps"] = []  # a saved branch without steps leaves the key out
        items = holder.get(expected) if isinstance(holder, dict) else None
        index = int(match.group(2))
        if not isinstance(items, list):
            raise NotFound(f"没有步骤 {path}", f"no step at {path!r}")
        if i == len(parts) - 1:
            return items, index
        if index >= len(items):
            raise NotFound(f"没有步骤 {path}", f"no step at {path!r}")
        holder = items[index]
    raise BadQuery(f"步骤路径 {path} 无效", f"invalid step path {path!r}", field="path")  # pragma: no cover


def _existing(flow: dict[str, Any], path: str) -> tuple[list[Any], int]:
    items, index = _walk(flow, path)
    if index >= len(items):
        raise NotFound(f"没有步骤 {path}", f"no step at {path!r}")
    return items, index


def _edited(draft: dict[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    new = copy.deepcopy(draft)
    return new, new["flows"][_index(new, key)]


def insert_step(draft: dict[str, Any], key: str, at: str, step: dict[str, Any]) -> dict[str, Any]:
    """Insert `step` at the position `at` (the steps after it move down)."""
    new, flow = _edited(draft, key)
    flow.setdefault("steps", [])
    items, index = _walk(flow, at)
    if index > len(items):
        raise BadQuery(f"位置 {at} 超出范围", f"position {at!r} is out of range", field="at")
    items.insert(index, copy.deepcopy(step))
    return new


def update_step(draft: dict[str, Any], key: str, path: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change options of the step at `path` (`null` removes an option; `type` and `action` stay)."""
    new, flow = _edited(draft, key)
    items, index = _existing(flow, path)
    step = items[index]
    for name, value in changes.items():
        if name in ("type", "action") and value != step.get(name):
            raise BadQuery("不能修改步骤的类型，请删除后新建", "a step's type cannot change: remove it and add another",
                           field=name)
        if value is None:
            step.pop(name, None)
        else:
            step[name] = copy.deepcopy(value)
    return new


def remove_step(draft: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    """Remove the step at `path` with everything inside it (its branches)."""
    new, flow = _edited(draft, key)
    items, index = _existing(flow, path)
    del items[index]
    return new


def move_step(draft: dict[str, Any], key: str, path: str, to: str) -> dict[str, Any]:
    """Move the step at `path` (with its branches) to the position `to`, as named before the move."""
    if to == path or to.startswith(f"{path}."):
        raise BadQuery("不能把步骤移到它自己里面", "a step cannot move into itself", field="to")
    new, flow = _edited(draft, key)
    source, index = _existing(flow, path)
    target, position = _walk(flow, to)
    if position > len(target):
        raise BadQuery(f"位置 {to} 超出范围", f"position {to!r} is out of range", field="to")
    step = source[index]
    marker = object()
    source[index] = marker  # keeps the paths named before the move valid while inserting
    target.insert(position, step)
    source.remove(marker)
    return new


def insert_branch(draft: dict[str, Any], key: str, path: str, branch: dict[str, Any],
                  position: int | None = None) -> dict[str, Any]:
    """Add a branch to the condition or parallel step at `path` (before the default branch by default)."""
    new, flow = _edited(draft, key)
    items, index = _existing(flow, path)
    branches = items[index].get("branches")
    if not isinstance(branches, list):
        raise BadQuery(f"步骤 {path} 没有分支", f"the step at {path!r} has no branches", field="path")
    if position is None:
        defaults = [i for i, b in enumerate(branches) if isinstance(b, dict) and b.get("default")]
        position = defaults[0] if defaults else len(branches)
    if not 0 <= position <= len(branches):
        raise BadQuery(f"位置应在 0 到 {len(branches)} 之间", f"position must be between 0 and {len(branches)}",
                       field="position")
    branches.insert(position, {"steps": [], **copy.deepcopy(branch)})
    return new


def remove_branch(draft: dict[str, Any], key: str, path: str, branch: int) -> dict[str, Any]:
    """Remove one branch (with its steps) of the step at `path`."""
    new, flow = _edited(draft, key)
    items, index = _existing(flow, path)
    branches = items[index].get("branches")
    if not isinstance(branches, list) or not 0 <= branch < len(branches):
        raise NotFound(f"没有分支 {path}.branches[{branch}]", f"no branch {branch} at {path!r}")
    del branches[branch]
    return new


def move_branch(draft: dict[str, Any], key: str, path: str, branch: int, to: int,
                to_path: str | None = None) -> dict[str, Any]:
    """Move branch `branch` (with its steps) of the step at `path` to position `to` among the branches of
    the step at `to_path` (the same step by default), every path and position named before the move."""
    target_path = path if to_path is None else to_path
    if target_path.startswith(f"{path}.branches[{branch}]."):
        raise BadQuery("不能把分支移到它自己里面", "a branch cannot move into itself", field="to_path")
    new, flow = _edited(draft, key)
    items, index = _existing(flow, path)
    branches = items[index].get("branches")
    if not isinstance(branches, list) or not 0 <= branch < len(branches):
        raise NotFound(f"没有分支 {path}.branches[{branch}]", f"no branch {branch} at {path!r}")
    holders, at = _existing(flow, target_path)
    target = holders[at].get("branches")
    if not isinstance(target, list):
        raise BadQuery(f"步骤 {target_path} 没有分支", f"the step at {target_path!r} has no branches", field="to_path")
    if not 0 <= to <= len(target):
        raise BadQuery(f"位置应在 0 到 {len(target)} 之间", f"position must be between 0 and {len(target)}", field="to")
    moved = branches[branch]
    marker = object()
    branches[branch] = marker  # as for steps: the positions named before the move stay valid while inserting
    target.insert(to, moved)
    branches.remove(marker)
    return new


__all__ = ["copy_flow", "flow_of", "insert_branch", "insert_step", "move_branch", "move_step", "put_flow",
           "remove_branch", "remove_flow", "remove_step", "update_step"]
