"""Expression errors: where (line, column) and what, in words a business user understands."""

from __future__ import annotations

from engine.errors import BadQuery


class ExpressionError(BadQuery):
    """An expression that cannot be parsed, type-checked or run; `line` and `column` are 1-based."""

    code = "invalid_expression"

    def __init__(self, line: int, column: int, zh: str, en: str) -> None:
        super().__init__(f"第 {line} 行第 {column} 列：{zh}", f"line {line}, column {column}: {en}",
                         line=line, column=column)
        self.line = line
        self.column = column
