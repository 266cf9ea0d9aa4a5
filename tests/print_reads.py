"""How many reads of records a print's related placeholders cost: the count that must not grow with the selection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event


def related_reads(engine: Any, print_html: Callable[[list[int], str], str], template: str, plain: str,
                  warm: list[int], *selections: list[int]) -> list[int]:
    """Per selection, the reads of records printing it with `template` runs beyond printing it with `plain` (the
    same template without related placeholders), after one warm print of `warm` (caches of definitions and
    rights fill on a first print, not per record)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM records" in statement:  # reads of records (the server's worker thread polls other tables meanwhile)
            statements.append(statement)

    def extra(ids: list[int]) -> int:
        statements.clear()
        print_html(ids, plain)
        without = len(statements)
        statements.clear()
        print_html(ids, template)
        return len(statements) - without

    event.listen(engine, "before_cursor_execute", count)
    try:
        extra(warm)
        return [extra(ids) for ids in selections]
    finally:
        event.remove(engine, "before_cursor_execute", count)
