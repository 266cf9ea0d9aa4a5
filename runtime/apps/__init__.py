"""App definitions in the database: versions, the builder's draft, and what a publish would break."""
