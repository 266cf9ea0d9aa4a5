"""Reports: dashboards of widgets, compiled to one query each (pure: no I/O)."""
