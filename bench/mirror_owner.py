"""Who reads the analytics mirror when several processes serve (issue 28): widget latency and staleness.

One SQLite database with `size` customers (tests/factories.py's shop form) and its mirror, then in one run,
alternating, p50/p95 of one bar widget (count and sum by level, run_widget as a report request does):
- `owner, own file` — today's single process: the server owns the DuckDB file;
- `published copy` — the chosen design: a server reads the owner's copy, read-only;
- `owner over a socket` — the other design, roughly: each statement compiled here, sent over a Unix socket
  to a process holding the mirror, its rows pickled back (no sync, no auth: a floor for that path).
Staleness: what a publication costs (checkpoint and copy) at this size, and an incremental sync of 100
changed records: a copy is at most mirror_interval + sync + publication behind; the owner path could sync
on demand.
`python -m bench.mirror_owner [--sizes 200000] [--runs 200]`."""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import socket
import statistics
import struct
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.dialects import registry

from engine.expr.evaluate import EvalContext
from engine.reports.model import Widget
from runtime import subscribers
from runtime.analytics.mirror import Mirror
from runtime.analytics.published import PublishedMirror, Publisher
from runtime.analytics.run import ReportContext, run_widget
from runtime.analytics.sync import sync
from runtime.apps import definitions
from runtime.db import schema
from runtime.db.db import Database, open_database
from runtime.records import records
from runtime.records.context import SYSTEM, Change
from runtime.settings import Settings
from tests.factories import shop

WIDGET = {"key": "w", "type": "bar", "form": "customer", "dimensions": [{"field": "level"}],
          "measures": [{"agg": "count"}, {"agg": "sum", "field": "amount"}]}


def _seed(db: Database, size: int) -> None:
    schema.upgrade(db)
    with db.write() as conn:
        definitions.import_app(conn, shop(), Change(SYSTEM))
    for start in range(0, size, 5000):
        with db.write(large=True) as conn:
            ref = definitions.form_ref(conn, "shop", "customer")
            records.create_many(conn, ref, [{"name": f"客户{n}", "level": "ABC"[n % 3], "region": "华东",
                                             "amount": f"{n % 1000}.50"} for n in range(start, min(size, start + 5000))],
                                Change(SYSTEM))


def _send(sock: socket.socket, payload: Any) -> None:
    data = pickle.dumps(payload)
    sock.sendall(struct.pack("!I", len(data)) + data)


def _receive(sock: socket.socket) -> Any:
    head = sock.recv(4, socket.MSG_WAITALL)
    if len(head) < 4:
        return None
    size = struct.unpack("!I", head)[0]
    return pickle.loads(sock.recv(size, socket.MSG_WAITALL))  # noqa: S301 — the bench's own process


def _owner_process(path: str, address: str, ready: Any) -> None:
    """The owner: answers statements (SQL text) with their rows, one connection per client."""
    mirror = Mirror(Path(path))
    server = socket.socket(socket.AF_UNIX)
    server.bind(address)
    server.listen()
    ready.set()
    client, _ = server.accept()
    with mirror.read() as conn:
        while (sql := _receive(client)) is not None:
            _send(client, [tuple(r) for r in conn.exec_driver_sql(sql).all()])


class _Remote:
    """A connection whose statements run in the owner process (the socket design's client side)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.dialect = registry.load("duckdb")()

    def execute(self, statement: Any, *_: Any) -> Any:
        sql = str(statement.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
        _send(self.sock, sql)
        return _Rows(_receive(self.sock))

    def rollback(self) -> None:
        pass


class _Rows(list[Any]):
    def all(self) -> list[Any]:
        return list(self)

    def first(self) -> Any:
        return self[0] if self else None

    def scalar(self) -> Any:
        return self[0][0] if self else None


class _RemoteMirror:
    owned = True

    def __init__(self, sock: socket.socket, mirror: Mirror) -> None:
        self.remote, self.local = _Remote(sock), mirror

    def read(self) -> Any:
        from contextlib import nullcontext
        return nullcontext(self.remote)

    def state(self, conn: Any) -> Any:
        from runtime.analytics.mirror import SyncState
        synced = conn.execute(text("SELECT synced_at FROM _tangram_sync WHERE id = 1")).scalar()
        tables = conn.execute(text("SELECT name, hash, row_count FROM _tangram_forms"))
        skipped = conn.execute(text("SELECT name, count(*) FROM _tangram_skipped GROUP BY name"))
        return SyncState(None, {}, synced, {r[0]: (r[1], r[2]) for r in tables}, dict(skipped))


def _timings(run: Any, runs: int) -> dict[str, float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    seconds.sort()
    return {"p50": statistics.median(seconds) * 1000, "p95": seconds[int(len(seconds) * 0.95) - 1] * 1000}


def run(size: int, runs: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="tangram-bench-mirror-"))
    db = open_database(f"sqlite:///{folder}/tangram.db")
    _seed(db, size)
    now = datetime.now(UTC)
    settings = Settings(data_dir=folder, mirror="always", mirror_max_lag=3600, mirror_snapshot_max_age=3600)
    owner_dir, reader_dir = folder / "owner", folder / "reader"
    owner_dir.mkdir()
    mirror = Mirror(owner_dir / "analytics.duckdb")
    build = sync(db, mirror, now).seconds
    publisher = Publisher(mirror, 0)
    started = time.perf_counter()
    publisher.publish(now)
    publish_seconds = time.perf_counter() - started
    copy = next(owner_dir.glob("analytics.snapshot-*.duckdb"))
    size_mb = copy.stat().st_size / 1e6
    # the socket owner holds a copy of its own (one process may open a DuckDB file)
    reader_dir.mkdir()
    (reader_dir / "analytics.duckdb").write_bytes(copy.read_bytes())
    published = PublishedMirror(owner_dir)
    address = str(folder / "owner.sock")
    ready = multiprocessing.get_context("spawn").Event()
    owner = multiprocessing.get_context("spawn").Process(target=_owner_process,
                                                         args=(str(reader_dir / "analytics.duckdb"), address, ready))
    owner.start()
    ready.wait(60)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(address)
    with db.read() as conn:
        app = definitions.current(conn, "shop")[0]
    widget = Widget.model_validate(WIDGET)
    ctx = EvalContext(now, ZoneInfo(settings.timezone), "admin")
    paths = {"owner, own file": mirror, "published copy": published, "owner over a socket": _RemoteMirror(sock, mirror)}

    def one(source: Any) -> Any:
        result = run_widget(ReportContext(db, source, settings, ctx), app, widget, {})
        assert result["engine"] == "mirror", result
        return result

    rows = {name: one(source)["rows"] for name, source in paths.items()}
    assert len({repr(r) for r in rows.values()}) == 1, rows  # the three answer the same
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in paths}
    for _ in range(4):  # alternating rounds: the machine's load falls on all three alike
        for name, source in paths.items():
            samples[name].append(_timings(lambda s=source: one(s), runs // 4))
    timings = {name: {k: statistics.median(s[k] for s in parts) for k in ("p50", "p95")}
               for name, parts in samples.items()}
    with db.write() as conn:
        ref = definitions.form_ref(conn, "shop", "customer")
        records.create_many(conn, ref, [{"name": f"新客户{n}", "level": "A", "amount": "1"} for n in range(100)],
                            Change(SYSTEM))
    incremental = sync(db, mirror, datetime.now(UTC)).seconds
    _send(sock, None)
    sock.close()
    owner.join(30)
    published.close()
    mirror.close()
    db.engine.dispose()
    return {"size": size, "build": build, "publish": publish_seconds, "copy_mb": size_mb, "sync100": incremental,
            "timings": timings}


def table(result: dict[str, Any]) -> str:
    t = result["timings"]
    base = t["owner, own file"]["p50"]
    lines = [f"{result['size']:,} records: mirror build {result['build']:.2f} s, publication (checkpoint + copy of "
             f"{result['copy_mb']:.1f} MB) {result['publish'] * 1000:.0f} ms, sync of 100 changed records "
             f"{result['sync100'] * 1000:.0f} ms", "",
             "| path | widget p50 ms | p95 ms | p50 vs own file |", "|---|---:|---:|---:|"]
    for name, v in t.items():
        lines.append(f"| {name} | {v['p50']:.2f} | {v['p95']:.2f} | {v['p50'] / base:.2f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mirror_owner")
    parser.add_argument("--sizes", default="200000")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    subscribers.install()  # storage driven directly: history rows, as in the server (the sync reads them)
    for size in (int(s) for s in args.sizes.split(",")):
        print(table(run(size, args.runs)))


if __name__ == "__main__":
    main()
