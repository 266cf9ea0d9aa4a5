"""Flow instances in the database: starting them from record writes, their tasks, effects and messages."""
