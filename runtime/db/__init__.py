"""The database underneath: opening it, its tables and column types, migrations, and the plumbing of transactions."""
