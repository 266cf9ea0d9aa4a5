"""People by their display names wherever flows show them (inbox rows, a record's approval timeline, the
run log, task action texts): the JSON answers keep the usernames and gain a `…_name` beside each one, and a
timeline line that names people ("转交给 li", "等待 wang、li 审批") shows their display names instead.
A user without a display name, or one deleted since, is shown by the username."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from runtime.accounts.people import display_names

PERSON_KEYS = ("submitter", "actor", "assignee", "decided_by")
"""Keys whose value is a username: `<key>_name` is added beside them."""
PEOPLE_LISTS = {"assignees": "assignee_names", "later": "later_names"}
"""Keys whose value is a list of usernames, and the key of their display names."""
NAMING_KINDS = frozenset({"approval", "added_approvers", "transferred", "escalated", "reminded", "notified", "todo"})
"""Timeline kinds whose message names people (engine/flows: approval.py, notify.py, actions/task.py)."""
USERNAME = re.compile(r"(?<![A-Za-z0-9._-])[A-Za-z0-9][A-Za-z0-9._-]{0,63}(?![A-Za-z0-9._-])")


def _nodes(value: Any) -> list[dict[str, Any]]:
    """Every dict inside a JSON value, outermost first."""
    found: list[dict[str, Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _names_message(node: dict[str, Any]) -> bool:
    return node.get("kind") in NAMING_KINDS and isinstance(node.get("message"), str)


def name_people(conn: Connection, value: Any) -> Any:
    """Add display names to a JSON answer in place (one query for all of it) and return it."""
    nodes = _nodes(value)
    wanted: set[str] = set()
    for node in nodes:
        wanted |= {node[k] for k in PERSON_KEYS if isinstance(node.get(k), str)}
        wanted |= {u for k in PEOPLE_LISTS if isinstance(node.get(k), list) for u in node[k] if isinstance(u, str)}
        if _names_message(node):
            wanted |= set(USERNAME.findall(node["message"]))
    shown = display_names(conn, wanted)
    for node in nodes:
        for key in PERSON_KEYS:
            if isinstance(node.get(key), str):
                node[f"{key}_name"] = shown.get(node[key], node[key])
        for key, names in PEOPLE_LISTS.items():
            if isinstance(node.get(key), list):
                node[names] = [shown.get(u, u) for u in node[key]]
        if _names_message(node):
            node["message"] = USERNAME.sub(lambda m: shown.get(m.group(0), m.group(0)), node["message"])
    return value


def named_in(conn: Connection, text: str, usernames: tuple[str, ...]) -> str:
    """`text` with each of these usernames (where it stands as a word) replaced by its display name: a
    notice the engine wrote ("wang 提交的…") as its reader should see it."""
    shown = display_names(conn, usernames)
    wanted = {u for u in usernames if u in shown}
    return USERNAME.sub(lambda m: shown[m.group(0)] if m.group(0) in wanted else m.group(0), text) if wanted else text


USER_LISTS = ("users", "to", "escalate_to")
"""Keys of a flow definition whose value may be a list of usernames (Recipients.users, an SLA stage's `to`,
a due's `escalate_to`)."""


def named_users(definition: Any) -> set[str]:
    """The usernames a flow definition (its JSON) names, wherever they are: the designer shows their names."""
    found: set[str] = set()
    for node in _nodes(definition):
        for key in USER_LISTS:
            value = node.get(key)
            if isinstance(value, list):
                found |= {u for u in value if isinstance(u, str)}
            elif key == "escalate_to" and isinstance(value, str):
                found.add(value)
    return found


__all__ = ["name_people", "named_users", "named_in", "PERSON_KEYS", "NAMING_KINDS"]
