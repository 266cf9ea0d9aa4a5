"""Several `tangram serve` processes and a `tangram worker` on one PostgreSQL, under 32 simulated users
(issue 28).

For 1, 2 and 4 server processes (each its own process on its own port, as on several machines; the
`--workers` option is not used) and one `tangram worker`, 32 users each send one request after another
for `seconds`: 80 % reads (a list page, a record, a dashboard, a search) and 20 % writes (a create, an
update, a quote submitted to its approval flow, that approval's first step approved). Each user keeps
a keep-alive connection to every server and takes them in turn: the round robin of a load balancer.
Requests are built with bench.loadgen's framing, so the client leaves the servers what CPU it can.

Everything is on loopback. The database is a new one of its own (dropped after), filled by the CRM's
demo data (`tangram demo-data`); the analytics mirror is off (TANGRAM_MIRROR=off): with one mirror
per process each would sync its own DuckDB file, which is not how several processes are meant to run
(docs/deployment.md, "The analytics mirror"), and at this size the dashboards run on PostgreSQL anyway.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import text

from bench import records
from bench.db_upgrade import drop_database, new_database
from bench.loadgen import request, response
from bench.timing import percentile
from runtime.demo.load import load_demo

WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench")) / "scale"
DB_NAME = f"tangram_bench_scale_{os.getpid()}"
FIRST_PORT = int(os.environ.get("TANGRAM_BENCH_PORT", "8800"))
USERS = 32
CUSTOMERS = 100  # demo-data customers; the other forms scale with it (runtime/demo/): 1,150 records
BULK_CUSTOMERS = 20_000  # and plain customers, for the lists and the search (bench/records.py's generator)
PASSWORD = "bench-password"  # bench.records.prepare's
# operation: share of the requests; reads 80 %, writes 20 %
MIX = {"list": 30, "record": 25, "dashboard": 10, "search": 15, "create": 8, "update": 8, "submit": 2, "approve": 2}
READS = ("list", "record", "dashboard", "search")
SEARCH_WORDS = ["科技", "北京", "有限", "上海", "电子", "贸易", "138", "信息"]


def _cli(url: str, *args: str, data_dir: Path | None = None) -> None:
    env = {**os.environ, "TANGRAM_DATABASE_URL": url, "TANGRAM_DATA_DIR": str(data_dir or WORK / "cli")}
    subprocess.run([sys.executable, "-m", "runtime.cli", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def prepare() -> str:
    """A new database: the CRM, `admin`, `approver` (both roles of the quote's first two steps), the demo
    data of CUSTOMERS customers (every form, for the dashboards) and BULK_CUSTOMERS more customers."""
    url = new_database(DB_NAME)
    db = records.prepare(url)  # schema, the CRM, admin and the sales reps (password PASSWORD)
    _cli(url, "user", "create", "approver", "--password", PASSWORD, "--role", "crm:sales_manager",
         "--role", "crm:finance")
    load_demo(db, "crm", CUSTOMERS, seed=1, progress=False)
    records.bulk_storage(db, BULK_CUSTOMERS, start=1_000_000)  # beside the demo's
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    db.engine.dispose()
    return url


def drop() -> None:
    drop_database(DB_NAME)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start(url: str, processes: int) -> tuple[list[subprocess.Popen[bytes]], subprocess.Popen[bytes], list[int]]:
    """`processes` servers (own ports, own data directories, the embedded worker off) and one worker."""
    env = {**os.environ, "TANGRAM_DATABASE_URL": url, "TANGRAM_EMBEDDED_WORKER": "false", "TANGRAM_MIRROR": "off",
           "TANGRAM_SECRET_KEY": "bench-scale-secret"}
    ports = [FIRST_PORT + i for i in range(processes)]
    servers = []
    for port in ports:
        data = WORK / f"data-{port}"
        data.mkdir(parents=True, exist_ok=True)
        servers.append(subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", "--port", str(port)],
                                        env={**env, "TANGRAM_DATA_DIR": str(data)},
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    worker = subprocess.Popen([sys.executable, "-m", "runtime.cli", "worker"],
                              env={**env, "TANGRAM_DATA_DIR": str(WORK / "data-worker")},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for port in ports:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"server on port {port} did not become ready")
    return servers, worker, ports


class User(threading.Thread):
    """One simulated user: a request at a time, each to the next server in turn, until `deadline`."""

    def __init__(self, n: int, ports: list[int], tokens: dict[str, str], ids: dict[str, list[int]],
                 deadline: float) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.ports, self.deadline = ports, deadline
        self.headers = {name: {"Authorization": f"Bearer {t}"} for name, t in tokens.items()}
        self.ids = ids
        self.samples: dict[str, list[float]] = {op: [] for op in MIX}
        self.errors: list[str] = []
        self.submitted: list[int] = []  # open tasks of this user's submitted quotes: theirs to approve
        self.sockets: list[socket.socket] = []
        self.pending: list[bytes] = []
        self.turn = n
        self.reconnects = 0

    def _send(self, op: str, method: str, path: str, body: Any = None, who: str = "admin") -> Any:
        """One request to the next server in turn, timed under `op`; its JSON answer (None on an error)."""
        i = self.turn % len(self.ports)
        self.turn += 1
        raw = request(method, "127.0.0.1", path, self.headers[who], body)
        start = time.perf_counter()
        try:
            self.sockets[i].sendall(raw)
            status, answer, self.pending[i] = response(self.sockets[i], self.pending[i])
        except (ConnectionError, OSError):
            # uvicorn closes a keep-alive connection idle for 5 s (its timeout_keep_alive) before reading a
            # request sent on it: connect again and send it, as a load balancer does; counted apart
            self.reconnects += 1
            self._connect(i)
            start = time.perf_counter()
            self.sockets[i].sendall(raw)
            status, answer, self.pending[i] = response(self.sockets[i], self.pending[i])
        self.samples[op].append((time.perf_counter() - start) * 1000)
        if status >= 400:
            self.errors.append(f"{op} {method} {path}: {status} {answer[:300].decode(errors='replace')}")
            return None
        return answer

    def _connect(self, i: int) -> None:
        self.sockets[i].close()
        self.sockets[i] = socket.create_connection(("127.0.0.1", self.ports[i]))
        self.sockets[i].setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending[i] = b""

    def run(self) -> None:
        self.sockets = [socket.socket() for _ in self.ports]
        self.pending = [b"" for _ in self.ports]
        for i in range(len(self.ports)):
            self._connect(i)
        ops, weights = list(MIX), list(MIX.values())
        base = "/api/v1/apps/crm/forms"
        actions: dict[str, Callable[[], Any]] = {
            "list": lambda: self._send("list", "GET", f"{base}/customer/records?limit=50&sort=-updated_at"),
            "record": lambda: self._send("record", "GET",
                                         f"{base}/customer/records/{self.rng.choice(self.ids['customer'])}"),
            "dashboard": lambda: self._send("dashboard", "GET",
                                            f"/api/v1/apps/crm/reports/{self.rng.choice(DASHBOARDS)}"),
            "search": lambda: self._send("search", "GET",
                                         f"{base}/customer/records?limit=20&q={quote(self.rng.choice(SEARCH_WORDS))}"),
            "create": lambda: self._send("create", "POST", f"{base}/customer/records",
                                         {"data": {"name": f"压测客户{uuid.uuid4().hex[:12]}"}}),  # unique in every run
            "update": lambda: self._send("update", "PATCH",
                                         f"{base}/customer/records/{self.rng.choice(self.ids['customer'])}",
                                         {"data": {"note": f"更新{self.rng.randrange(10**6)}"}}),
            "submit": self._submit,
            "approve": self._approve,
        }
        try:
            while time.perf_counter() < self.deadline:
                actions[self.rng.choices(ops, weights)[0]]()
        except Exception as e:  # noqa: BLE001 — a broken connection is an error of the run, reported
            self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            for sock in self.sockets:
                sock.close()

    def _submit(self) -> None:
        """A new quote, submitted to 报价审批 (the create is timed as a create)."""
        created = self._send("create", "POST", "/api/v1/apps/crm/forms/quote/records",
                             {"data": {"customer": self.rng.choice(self.ids["customer"]),
                                       "lines": [{"product": self.rng.choice(self.ids["product"]), "item": "标准服务",
                                                  "qty": 2, "unit_price": 1000}]}})
        if created is None:
            return
        created = json.loads(created)
        started = self._send("submit", "POST", "/api/v1/apps/crm/flows/quote_approval/instances",
                             {"record_id": created["id"]})
        if started is not None:
            self.submitted += [t["id"] for t in json.loads(started)["tasks"] if t["status"] == "open"]

    def _approve(self) -> None:
        """The sales manager's step of one of this user's submitted quotes (none yet: a submit first)."""
        if not self.submitted:
            self._submit()
            return
        self._send("approve", "POST", f"/api/v1/tasks/{self.submitted.pop(0)}/approve", {"comment": "同意"},
                   who="approver")


DASHBOARDS = ["sales_cockpit", "sales_funnel", "lead_sources", "customer_profile", "service"]


def _tokens(port: int) -> tuple[dict[str, str], dict[str, list[int]]]:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        tokens = {name: http.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD}).json()[
            "access_token"] for name in ("admin", "approver")}
        headers = {"Authorization": f"Bearer {tokens['admin']}"}
        ids: dict[str, list[int]] = {}
        for form in ("customer", "product"):
            items = http.get(f"/api/v1/apps/crm/forms/{form}/records?limit=500&fields=name",
                             headers=headers).json()["items"]
            ids[form] = [item["id"] for item in items]
    return tokens, ids


def measure(url: str, processes: int, seconds: float) -> dict[str, Any]:
    servers, worker, ports = _start(url, processes)
    try:
        tokens, ids = _tokens(ports[0])
        warm = [User(100 + n, ports, tokens, ids, time.perf_counter() + 3) for n in range(USERS)]
        for u in warm:
            u.start()
        for u in warm:
            u.join()
        deadline = time.perf_counter() + seconds
        users = [User(n, ports, tokens, ids, deadline) for n in range(USERS)]
        pids = [s.pid for s in servers]
        cpu_before = [_cpu_s(pid) for pid in pids], _cpu_s(worker.pid), time.process_time()
        start = time.perf_counter()
        for u in users:
            u.start()
        for u in users:
            u.join()
        wall = time.perf_counter() - start
        # What each side burnt in the window: servers (CPU-ms a request, load-independent to first order),
        # the worker, and this process (the 32 users' client side), against the machine's cores × wall.
        server_cpu = sum(_cpu_s(pid) for pid in pids) - sum(cpu_before[0])
        worker_cpu = _cpu_s(worker.pid) - cpu_before[1]
        client_cpu = time.process_time() - cpu_before[2]
        rss = {f"serve :{p}": _rss_mb(s.pid) for p, s in zip(ports, servers, strict=True)}
        rss["worker"] = _rss_mb(worker.pid)
    finally:
        for proc in (*servers, worker):
            proc.terminate()
        for proc in (*servers, worker):
            proc.wait(timeout=30)
    samples = {op: [s for u in users for s in u.samples[op]] for op in MIX}
    errors = [e for u in users for e in u.errors]
    total = sum(len(s) for s in samples.values())
    return {"processes": processes, "seconds": wall, "requests": total, "rps": total / wall,
            "ops": {op: {"n": len(s), "p50": percentile(s, 50) if s else 0.0, "p95": percentile(s, 95) if s else 0.0}
                    for op, s in samples.items()},
            "errors": len(errors), "error_examples": sorted(set(errors))[:5], "rss_mb": rss,
            "reconnects": sum(u.reconnects for u in users),
            "cpu": {"servers_s": server_cpu, "worker_s": worker_cpu, "client_s": client_cpu,
                    "server_ms_per_request": 1000 * server_cpu / max(total, 1),
                    "machine_share_servers": server_cpu / (wall * (os.cpu_count() or 1))}}


def run(seconds: float = 30, counts: tuple[int, ...] = (1, 2, 4)) -> list[dict[str, Any]]:
    WORK.mkdir(parents=True, exist_ok=True)
    url = prepare()
    try:
        return [measure(url, n, seconds) for n in counts]
    finally:
        drop()


def table(runs: list[dict[str, Any]]) -> str:
    one = runs[0]["rps"]
    lines = ["| server processes | requests/s (× one) | errors (reconnects) | " + " | ".join(f"{op} p50/p95 ms" for op in MIX)
             + " | server CPU ms a request | CPU s servers / worker / clients (servers' share of the cores) | RSS MB per process |",
             "|---:|---:|---:|" + "---:|" * len(MIX) + "---:|---|---|"]
    for r in runs:
        ops = " | ".join(f"{r['ops'][op]['p50']:.0f}/{r['ops'][op]['p95']:.0f}" for op in MIX)
        rss = ", ".join(f"{name} {mb:.0f}" for name, mb in r["rss_mb"].items())
        c = r["cpu"]
        cpu = (f"{c['server_ms_per_request']:.1f} | {c['servers_s']:.0f} / {c['worker_s']:.0f} / {c['client_s']:.0f}"
               f" ({100 * c['machine_share_servers']:.0f} %)")
        lines.append(f"| {r['processes']} | {r['rps']:.0f} ({r['rps'] / one:.2f}×) | {r['errors']} ({r['reconnects']}) | {ops}"
                     f" | {cpu} | {rss} |")
    examples = [e for r in runs for e in r["error_examples"]]
    if examples:
        lines += ["", "Errors (examples): " + "; ".join(examples)]
    return "\n".join(lines)
