"""The analytics side of the runtime: report execution on the primary database or the DuckDB mirror."""
