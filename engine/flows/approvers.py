"""Who a Recipients spec names, resolved against an organisation snapshot passed in (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.flows.parts import Recipients
from engine.org import Org


def resolve(spec: Recipients, org: Org, submitter: str | None, record: Mapping[str, Any]) -> list[str]:
    """Usernames in a stable order (as listed, then role members sorted), each once."""
    found: list[str] = list(spec.users or [])
    for role in spec.roles:
        found.extend(sorted(org.role_members(role)))
    levels = spec.levels_up
    if levels is not None and submitter:
        department = org.primary_department(submitter)
        head = org.head_of(department, levels) if department else None
        if head:
            found.append(head)
    if spec.field:
        value = record.get(spec.field)
        found.extend(value if isinstance(value, list) else [value] if isinstance(value, str) and value else [])
    if spec.department_field:
        department = record.get(spec.department_field.field)
        head = org.head_of(department, spec.department_field.levels_up) if isinstance(department, str) else None
        if head:
            found.append(head)
    if spec.submitter and submitter:
        found.append(submitter)
    return list(dict.fromkeys(u for u in found if u))


def escalation_target(org: Org, user: str) -> str | None:
    """The next level up from `user`: the head of their department, or the one above if they are the head."""
    department = org.primary_department(user)
    if department is None:
        return None
    head = org.head_of(department, 0)
    if head and head != user:
        return head
    return org.head_of(department, 1)


def department_members(org: Org, department: str) -> list[str]:
    """Members of a department and the departments below it, sorted."""
    return sorted(org.members_of(org.subtree(department)))


__all__ = ["resolve", "escalation_target", "department_members"]
