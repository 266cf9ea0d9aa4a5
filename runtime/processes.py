"""`tangram serve --workers N`: N uvicorn worker processes on one port, each building its own app.

uvicorn starts its workers by spawning fresh interpreters, so it needs an import string and a factory, not an
app object. The parent (`tangram serve`) does the checks that concern the database once, before any worker
starts: the schema is current, encrypted fields have their key. It hands each worker what the command line
changed (`--db`, the TLS files, `--access-log`) in one environment variable; the worker reads the rest of
its settings from the environment as any process does, sets up logging (a spawned interpreter starts with
none) and builds the app.

Caches stay coherent across these processes, and across servers on other machines, the same way they do
across a server and the CLI: every cached read is trusted for at most a second (runtime/db/recent.py).

The analytics mirror is a DuckDB file only one process writes (runtime/analytics/owner.py). Each worker asks
for it as a single server does: the first to take the owner lock keeps and syncs it, when it runs the jobs
itself and no `tangram worker` owns it already; the others read the copy the owner publishes."""

from __future__ import annotations

import atexit
import json
import os
from typing import Any

from runtime.settings import Settings

OPTIONS = "TANGRAM_SERVE_OPTIONS"
"""The environment variable the parent hands its command line down in (JSON; Settings ignores it)."""

HEALTHCHECK_SECONDS = 30
"""How long uvicorn's supervisor waits for a worker to answer its ping before killing it as hung. Its default,
5 s, is shorter than a spawned worker takes to import the runtime on two busy cores: it killed every worker
before it answered, over and over."""


def run(changed: dict[str, Any], access: bool, workers: int, **uvicorn_options: Any) -> None:
    """Serve with `workers` processes; `changed` are the settings the command line set (uvicorn's supervisor
    restarts a worker that dies, with the same)."""
    import uvicorn

    changed = {name: str(value) for name, value in changed.items()}
    os.environ[OPTIONS] = json.dumps({"settings": changed, "access": access})
    uvicorn.run("runtime.processes:factory", factory=True, workers=workers,
                timeout_worker_healthcheck=HEALTHCHECK_SECONDS, **uvicorn_options)


def factory() -> Any:
    """The app of one worker process: its settings as the parent had them, its logging, its own database pool."""
    from runtime import logs
    from runtime.cli import freeze_start_up_objects, start_mirror
    from runtime.main import create_app

    options = json.loads(os.environ.get(OPTIONS) or "{}")
    settings = Settings(**options.get("settings", {}))  # the command line's values over the environment's
    logs.configure(settings, bool(options.get("access")))
    app = create_app(settings)
    if (refresher := start_mirror(app, settings, app.state.db)) is not None:
        atexit.register(refresher.stop)  # the owner lock goes with the process anyway; this closes the file cleanly
    freeze_start_up_objects()
    return app


__all__ = ["OPTIONS", "factory", "run"]
