"""The engine's modules import each other without a cycle: a module can be read (and loaded) after the ones
it imports. Imports are read with `ast`, at module level and inside functions alike (an import inside a
function only hides a cycle); `if TYPE_CHECKING:` imports are never run and are counted apart."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"

VALIDATORS = ("engine.app_check", "engine.flows.validate", "engine.reports.validate", "engine.permissions.check",
              "engine.forms.encryption")
"""The cross-form checks: they read the app model, and the model never reads them back."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(path: Path, modules: set[str], type_only: bool) -> set[str]:
    """The engine modules `path` imports; with type_only, those under `if TYPE_CHECKING:` as well."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child) and not type_only:
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from engine.forms.fields import base` imports the module base, `… import FieldType` the package
                found.update(f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return {m for m in found if m in modules and m != name}


def _graph(type_only: bool) -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in ENGINE.rglob("*.py")}
    return {name: _imported(path, set(paths), type_only) for name, path in paths.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    knot = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        knot.append(member)
                        if member == node:
                            break
                    if len(knot) > 1:
                        knots.append(sorted(knot))
    return knots


def test_the_engine_imports_without_a_cycle() -> None:
    assert _cycles(_graph(type_only=False)) == []


def test_the_app_model_imports_none_of_its_validators() -> None:
    imported = _graph(type_only=False)["engine.app"]
    assert "engine.app_check" not in imported
    assert not {m for m in imported if m.endswith((".validate", ".check", ".checker"))}


def test_no_validator_is_in_a_cycle_even_through_type_only_imports() -> None:
    # Type-only imports still tie the models to each other (a field type's `check(form, app)` names the
    # FormDefinition and AppDefinition that hold it); the validators stay outside every such knot.
    tied = {module for knot in _cycles(_graph(type_only=True)) for module in knot}
    assert tied.isdisjoint(VALIDATORS)


@pytest.mark.parametrize(("graph", "knots"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
], ids=["chain", "loop-with-tail", "two-loops"])
def test_the_cycle_finder_finds_loops(graph: dict[str, set[str]], knots: list[list[str]]) -> None:
    assert sorted(_cycles(graph)) == knots
