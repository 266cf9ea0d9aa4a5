"""Walking a flow's tree of steps by path id, without knowing the step types."""

from __future__ import annotations

from typing import Any


def walk_steps(steps: list[Any], prefix: str = "steps") -> list[tuple[str, Any]]:
    """Every step of a tree with its path id, depth first, in definition order."""
    found: list[tuple[str, Any]] = []
    for i, step in enumerate(steps):
        path = f"{prefix}[{i}]"
        found.append((path, step))
        for b, branch in enumerate(getattr(step, "branches", None) or []):
            found.extend(walk_steps(branch.steps, f"{path}.branches[{b}].steps"))
    return found


__all__ = ["walk_steps"]
