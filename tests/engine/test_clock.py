"""The engine takes the clock as a parameter: no module of engine/ reads it, not even as a default, and the
contexts that carry the moment cannot be made without one."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from engine.expr.evaluate import EvalContext, evaluate
from engine.expr.scope import Scope
from engine.expr.typecheck import check
from engine.forms.fields.base import ValueContext
from engine.forms.model import FormDefinition

ENGINE = Path(__file__).resolve().parents[2] / "engine"
EMPTY = Scope(FormDefinition(key="empty", name="空"))
CLOCK_READS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("time", "time_ns")}


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if (name, node.func.attr) in CLOCK_READS:
                found.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno} {name}.{node.func.attr}()")
    return found


def test_no_engine_module_reads_the_clock() -> None:
    assert [read for path in sorted(ENGINE.rglob("*.py")) for read in _clock_reads(path)] == []


@pytest.mark.parametrize("context", [EvalContext, ValueContext], ids=["eval", "value"])
def test_a_context_needs_the_moment(context: type) -> None:
    with pytest.raises(TypeError, match="now"):
        context()


def test_today_is_the_moment_passed_in_its_time_zone() -> None:
    late_utc = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # already 1 December in Beijing
    assert evaluate(check("YEAR(TODAY()) * 100 + MONTH(TODAY())", EMPTY), {}, EvalContext(late_utc)) == Decimal(202612)
