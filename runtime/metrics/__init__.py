"""Prometheus metrics at /metrics (issue 28): request timings and counts, and the state of jobs, the mirror,
the database pool and the login throttle read at scrape time. docs/deployment.md, "Metrics"."""
