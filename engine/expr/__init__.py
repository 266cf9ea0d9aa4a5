"""The expression language: parse (lark) → type-check against a form → evaluate in Python or compile to SQL."""
