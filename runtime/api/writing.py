"""Where a route's short write runs: on the event loop when SQLite can take it at once, else in a thread.

SQLite work is CPU in this process, one writer at a time: handing a one-record write to a worker
thread and its answer back costs more than the loop would lose by running it (a fifth of single
creates over HTTP, bench/records.py). A write that meets another thread's write awaits its end and
then runs on the loop, or gives up with Busy (503, nothing written) when that writer keeps the lock
for longer than the lock wait; one that meets another process's goes to a thread, which waits
through SQLite's busy timeout (the same wait). Either way the loop never blocks on a lock. PostgreSQL writes wait on
the network: they always run in a thread, leaving the loop to serve other requests meanwhile.
Long writes (bulk creates, the write step of imports) are sync routes and always run in threads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool

from runtime.db.db import Database, WriterBusy, busy

T = TypeVar("T")


async def short_write(db: Database, work: Callable[[], T]) -> T:
    """Run `work`, which writes one record or a few rows through db.write(). Busy (nothing written)
    when another writer of this process kept the lock for longer than db.lock_wait."""
    if db.dialect == "sqlite":
        deadline = time.monotonic() + db.lock_wait
        while True:
            try:
                return db.write_now(work)
            except WriterBusy as busy_writer:  # nothing was written
                if not busy_writer.this_process:
                    break  # another process: wait in a thread, bounded by SQLite's busy timeout
            if not await db.writer_released(deadline - time.monotonic()):
                raise busy()
    return await run_in_threadpool(work)
