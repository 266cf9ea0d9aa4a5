"""The organisation as the engines see it: departments in a tree with heads, members, role members.

A snapshot passed in by the runtime (storage.org.load_org), so flow approvers and permission scopes are
decided without I/O. Department and user keys are plain strings: department keys and usernames."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Department:
    """One node of the department tree."""

    key: str
    name: str
    parent: str | None = None
    head: str | None = None  # username of the 部门负责人


@dataclass(frozen=True)
class Org:
    """Departments, who belongs where (primary first), and who holds which role of one app."""

    departments: dict[str, Department] = field(default_factory=dict)
    memberships: dict[str, tuple[str, ...]] = field(default_factory=dict)  # username -> keys, primary first
    roles: dict[str, frozenset[str]] = field(default_factory=dict)  # role key -> usernames

    def ancestors(self, key: str) -> list[str]:
        """The department and its parents up to the root, nearest first (a cycle stops the walk)."""
        chain: list[str] = []
        node = self.departments.get(key)
        while node is not None and node.key not in chain:
            chain.append(node.key)
            node = self.departments.get(node.parent) if node.parent else None
        return chain

    def subtree(self, key: str) -> set[str]:
        """The department and every department below it."""
        children: dict[str, list[str]] = {}
        for d in self.departments.values():
            if d.parent:
                children.setdefault(d.parent, []).append(d.key)
        found, todo = set(), [key] if key in self.departments else []
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(children.get(current, ()))
        return found

    def head_of(self, key: str, levels_up: int = 0) -> str | None:
        """The head of the department `levels_up` levels above `key` (0: its own head), or None."""
        chain = self.ancestors(key)
        return self.departments[chain[levels_up]].head if levels_up < len(chain) else None

    def primary_department(self, username: str) -> str | None:
        keys = self.memberships.get(username, ())
        return keys[0] if keys else None

    def departments_of(self, username: str) -> tuple[str, ...]:
        return self.memberships.get(username, ())

    def members_of(self, keys: Iterable[str]) -> set[str]:
        """Usernames belonging to any of these departments."""
        wanted = set(keys)
        return {user for user, depts in self.memberships.items() if wanted.intersection(depts)}

    def role_members(self, role: str) -> frozenset[str]:
        return self.roles.get(role, frozenset())

    def roles_of(self, username: str) -> set[str]:
        return {role for role, users in self.roles.items() if username in users}


__all__ = ["Department", "Org"]
