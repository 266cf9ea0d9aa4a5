"""No module uses another package's private names: what one package offers another is public, in
the module where it belongs. Inside one package (engine.forms, runtime.api, builder_ui …) private
names may be shared; across packages an `_name` is a shortcut through a layer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("engine", "runtime", "builder_ui", "bench")
"""The code that ships (and the benchmarks); tests may reach inside what they test."""


def package(module: str) -> str:
    """`engine.forms.fields.phone` → `engine.forms`; `builder_ui.lists` → `builder_ui`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in ("engine", "runtime") else parts[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(module: str, source: str) -> list[str]:
    """Every private name `module` takes from another package: imported by name, or read as an
    attribute of a module it imported."""
    tree = ast.parse(source)
    found: list[str] = []
    modules: dict[str, str] = {}  # local name -> the module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if _private(alias.name) and package(node.module) != package(module):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _private(node.attr):
            target = modules.get(node.value.id)
            if target and target.split(".")[0] in CHECKED and package(target) != package(module):
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr} ({target})")
    return found


def _modules() -> list[tuple[str, Path]]:
    out = []
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            out.append((name, path))
    return out


def test_no_module_imports_a_private_name_of_another_package() -> None:
    offences = [f"{path.relative_to(ROOT)} {use}" for module, path in _modules()
                for use in private_uses(module, path.read_text(encoding="utf-8"))]
    assert offences == []


@pytest.mark.parametrize(("module", "source", "offends"), [
    ("builder_ui.lists", "from runtime.api.records import _render", True),
    ("builder_ui.lists", "from runtime.api import records\nrecords._render(1)", True),
    ("runtime.api.reports", "from runtime.api.records import _render", False),  # one package
    ("engine.flows.run", "from engine.forms.expressions import _row_values", True),  # engine.flows ↔ engine.forms
    ("engine.flows.steps.wait", "from engine.flows.parts import _duration", False),  # a subpackage of one package
    ("runtime.permissions.cli", "from runtime.cli import _database", True),
    ("bench.records", "from runtime.records import listing\nlisting.MAX_LIMIT", False),
    ("runtime.api.records", "from runtime.records.listing import __all__", False),  # dunder, not private
], ids=["by-name", "as-attribute", "same-package", "engine-packages", "subpackage", "runtime-cli", "public", "dunder"])
def test_the_check_tells_cross_package_private_uses_from_the_rest(module: str, source: str, offends: bool) -> None:
    assert bool(private_uses(module, source)) is offends
