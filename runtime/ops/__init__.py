"""Operating a deployment: backup and restore (docs/deployment.md)."""
