"""Who a Recipients spec names, resolved against an organisation snapshot passed in (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.flows.parts import Recipients
from engine.org import Org


def resolve(spec: Recipients, org: Org, submitter: str | None, record: Mapping[str, Any],
            chosen: Sequence[str] = ()) -> list[str]:
    """Usernames in a stable order (as listed, then role members sorted), each once; `chosen`: whom the
    submitter picked for this step (counted only where the spec says `chosen`)."""
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
    if spec.owner_department_head:
        head = owner_head(spec.owner_department_head.field, spec.owner_department_head.levels_up, org, record)
        if head:
            found.append(head)
    if spec.submitter and submitter:
        found.append(submitter)
    if spec.chosen:
        found.extend(chosen)
    return list(dict.fromkeys(u for u in found if u))


def owner_head(field: str | None, levels_up: int, org: Org, record: Mapping[str, Any]) -> str | None:
    """The head of the primary department of the record's owner (or of the user `field` names), N levels up."""
    owner = record.get(field or "owner")
    department = org.primary_department(owner) if isinstance(owner, str) and owner else None
    return org.head_of(department, levels_up) if department else None


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


__all__ = ["resolve", "owner_head", "escalation_target", "department_members"]
