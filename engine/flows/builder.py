"""The flow designer's edits on a draft definition: put a whole flow (the designer keeps the tree it edits
and sends it back whole, so what it saves is exactly the definition JSON), copy one, remove one.

Each edit returns a new draft; the caller validates the whole app afterwards, so a flow that breaks the
definition is refused with JSON paths (`flows[2].steps[1].approvers.role`) the designer shows on its nodes.
"""

from __future__ import annotations

import copy
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


__all__ = ["copy_flow", "flow_of", "put_flow", "remove_flow"]
