"""Packed chunks of an import kept in a temporary file instead of in memory (issue 26): a dry run's checked
chunks wait there for the run, and the run's staged chunks for the publish, so that the process holds a
chunk's rows at a time and an offset per chunk, not the whole file packed. The file is unnamed (deleted
when closed or when the process ends) and written once, read back in any order."""

from __future__ import annotations

import ctypes
import ctypes.util
import pickle
import tempfile
import threading
import weakref
import zlib
from typing import Any


class Spill:
    """Objects pickled and compressed, appended to an unnamed temporary file; read back by their number."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="tangram-import-")
        self._spans: list[tuple[int, int]] = []
        self._end = 0
        self._lock = threading.Lock()  # a dry run's spill is written by a request thread, read by the job's
        self._closed = weakref.finalize(self, self._file.close)  # a dry run never run: closed when dropped

    def add(self, state: Any) -> int:
        """Keep `state`; its number."""
        blob = zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)
        with self._lock:
            self._file.seek(self._end)
            self._file.write(blob)
            self._spans.append((self._end, len(blob)))
            self._end += len(blob)
            return len(self._spans) - 1

    def get(self, number: int) -> Any:
        """What was kept as `number`."""
        with self._lock:
            start, size = self._spans[number]
            self._file.seek(start)
            blob = self._file.read(size)
        return pickle.loads(zlib.decompress(blob))  # our own file's bytes, written by `add`

    def __len__(self) -> int:
        return len(self._spans)

    @property
    def size(self) -> int:
        """Bytes on disk."""
        return self._end

    def close(self) -> None:
        self._closed()


def _malloc_trim() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


_TRIM = _malloc_trim()


def give_back() -> None:
    """Return the heap's free pages to the system between two chunks (glibc's malloc_trim): a chunk's
    objects freed stay in the allocator's arena of the thread that made them otherwise, and the dry run
    (a request thread) and the run (the job's thread) each keep an arena of them, under the next chunk's."""
    if _TRIM is not None:
        _TRIM(0)


__all__ = ["Spill", "give_back"]
