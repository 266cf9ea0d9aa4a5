"""The last dry run's plan, kept in this process for the run that follows it (issue 26): reading the file and
checking every row is most of an import's work, and the run would otherwise do it all again. The plan is
kept as its chunks, packed (runtime/io/import_stream.py: pickled and compressed in a temporary file), and
unpacked one at a time by the run.

A run takes the plan only when nothing it was made from has changed: the same import, its same choices,
the same version of the app, the importer's same rights on the form, a dry run at most KEEP_SECONDS ago
(defaults and formulas read the time), and for an upsert or update every row still matching the same
record at the same version. What the rows name or derive from is checked again when they are written,
as for any import (runtime/io/imports.py: the records they derive from, the records they name, the
unique index). Otherwise — or when the run is in another process than its dry run — the run plans anew.

One plan is kept (the most recent dry run's), so the disk it holds is one packed import's, and it is dropped
(its file closed) when taken, replaced or too old to be taken."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from engine.permissions.rights import FormRights
from runtime.io.import_stream import Checked

KEEP_SECONDS = 600


@dataclass
class _Kept:
    run_id: int
    file_id: str
    spec: dict[str, Any]
    rights: FormRights
    hidden: frozenset[str]
    checked: Checked  # its chunks packed as planned, before the dry run tried their updates
    at: float


_lock = threading.Lock()
_kept: _Kept | None = None


def keep(run_id: int, file_id: str, spec: dict[str, Any], rights: FormRights, hidden: frozenset[str],
         checked: Checked) -> None:
    """Keep `checked` (the dry run of import `run_id` of the uploaded file `file_id` with `spec`, made under
    `rights`) for its run."""
    global _kept
    with _lock:
        dropped, _kept = _kept, _Kept(run_id, file_id, dict(spec), rights, hidden, checked, time.monotonic())
    if dropped is not None:
        dropped.checked.chunks.close()


def take(run_id: int, file_id: str, spec: dict[str, Any], version: int, rights: FormRights,
         hidden: frozenset[str]) -> Checked | None:
    """The kept dry run of import `run_id` (of file `file_id`) if it was made with the same choices, app
    version and rights not long ago; None otherwise. Dropped either way once asked for by its import."""
    global _kept
    with _lock:
        kept = _kept
        if kept is None or (kept.run_id, kept.file_id) != (run_id, file_id):
            if kept is not None and time.monotonic() - kept.at > KEEP_SECONDS:
                _kept = None
                kept.checked.chunks.close()
            return None
        _kept = None
    if (time.monotonic() - kept.at > KEEP_SECONDS or kept.spec != spec or kept.checked.ref.version != version
            or kept.rights != rights or kept.hidden != hidden):
        kept.checked.chunks.close()
        return None
    return kept.checked


def forget() -> None:
    """Drop the kept plan (tests; a process that wants its memory back)."""
    global _kept
    with _lock:
        dropped, _kept = _kept, None
    if dropped is not None:
        dropped.checked.chunks.close()


__all__ = ["KEEP_SECONDS", "keep", "take", "forget"]
