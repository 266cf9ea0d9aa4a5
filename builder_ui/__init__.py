"""The web UI: server-rendered pages over the runtime, small scripts calling the public API."""
