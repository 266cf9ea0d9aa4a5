"""Job handlers, one module per kind of work."""
