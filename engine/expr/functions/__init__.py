"""The functions of the expression language: one registry, one module per family, listed here explicitly.

A Function (functions/base.py) has a type rule (argument types → result type, or an error at the call's
position), a Python implementation over evaluated arguments (None is blank), and optionally SQL builders per
dialect. A function without SQL for a dialect makes the type checker say so, and the caller then refuses
the filter (or evaluates in Python) instead of giving another answer.

Adding a function = a `Function(...)` entry in its family's `FUNCTIONS` (or a new family module listed in
FAMILIES), documented in docs/expressions.md; the contract tests check Python and each SQL agree.
"""

from __future__ import annotations

from engine.expr.functions import aggregates, chinese, dates, logic, numbers, text
from engine.expr.functions.base import Function, accepts, fail, typed, zh_type
from engine.registry import Registry

functions: Registry[Function] = Registry("function")

FAMILIES = (aggregates, dates, logic, numbers, text, chinese)
for _family in FAMILIES:
    for _fn in _family.FUNCTIONS:
        functions.register(_fn.name, _fn)

__all__ = ["FAMILIES", "Function", "functions", "typed", "fail", "accepts", "zh_type"]
