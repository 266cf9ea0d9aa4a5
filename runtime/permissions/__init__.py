"""The one permission gate (check.py), row scopes as SQL (scope.py) and extra read grants (grants.py)."""
