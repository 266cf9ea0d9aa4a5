"""The import wizard end to end: a 100,000-row xlsx of customers uploaded, mapped (as suggested), dry-run and
run over HTTP until the records are committed and found by search — rows per second and the server's
peak memory.

`python -m bench --only import [--dbs sqlite,postgresql] [--sizes 100000]`

For each database: a fresh database with the CRM template, `tangram serve` in its own process (its
embedded worker runs the import job, as in use), an xlsx of `rows` demo customers under the form's own
labels. Timed from the upload's first byte to the moment the last row is found by the list's search;
then until the analytics mirror holds the rows (its sync, in the server, follows the publish); the server's
peak resident memory is its VmHWM (Linux), read after each phase (upload, dry run, run and the mirror's
sync) and reset between them, its CPU seconds (user + system)
those it spent from the upload on (the machine is shared: wall time varies with its load, CPU time much less)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx

from bench.imports import _cell
from bench.records import OWNERS, database_url, login, prepare, server
from runtime.apps import definitions
from runtime.demo.generate import generate
from runtime.io.spreadsheet import xlsx_bytes

BASE = "/api/v1/apps/crm/forms/customer"
SKIPPED = ("code",)  # an auto number: the import fills it


def customers_xlsx(app: Any, rows: int) -> tuple[bytes, str]:
    """`rows` demo customers under the form's labels, as an xlsx; and the name on the last row."""
    form = app.form("customer")
    items = list(generate(app, "customer", rows, seed=11, owners=OWNERS, start=70_000_000))
    keys = [k for k in items[0] if k in form.by_key and k not in SKIPPED]
    header = [form.by_key[k].label for k in keys]
    content = xlsx_bytes(header, ([_cell(form.by_key[k], item.get(k)) for k in keys] for item in items), "客户")
    return content, str(items[-1]["name"])


def peak_mib(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak(pid: int) -> None:
    """Start the process's VmHWM again from its current RSS (Linux clear_refs 5), so that each phase's own
    peak is read; the run's peak is the largest of them."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system), in seconds: the work, apart from the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def mirrored(http: httpx.Client, headers: dict[str, str], rows: int, timeout: float = 900) -> float:
    """The moment (perf_counter) the analytics mirror holds the imported customers: its sync of them runs in
    the server after the publish, part of the import's cost in memory (read after it, not before)."""
    ends = time.perf_counter() + timeout
    while time.perf_counter() < ends:
        tables = http.get("/api/v1/mirror", headers=headers).json().get("tables", {})
        if tables.get("crm__customer", {}).get("rows", 0) >= rows:
            return time.perf_counter()
        time.sleep(0.5)
    raise TimeoutError(f"the mirror did not reach {rows} customers in {timeout} s")


def run(backend: str, rows: int) -> dict[str, Any]:
    url = database_url(backend)
    db = prepare(url)
    with db.read() as conn:
        app = definitions.current(conn, "crm")[0]
    content, last = customers_xlsx(app, rows)
    procs: list[Any] = []
    out: dict[str, Any] = {"database": db.describe(), "rows": rows, "file_mib": len(content) / (1 << 20)}
    with server(url, db, started=procs.append) as base, httpx.Client(base_url=base, timeout=1200) as http:
        headers = login(http)
        cpu_before = cpu_seconds(procs[0].pid)
        start = time.perf_counter()
        r = http.post(f"{BASE}/imports", headers=headers, files={"file": ("客户.xlsx", content, "application/octet-stream")})
        r.raise_for_status()
        run_id = r.json()["id"]
        out["upload_s"] = time.perf_counter() - start
        out["upload_mib"] = peak_mib(procs[0].pid)
        reset_peak(procs[0].pid)
        checked = http.post(f"{BASE}/imports/{run_id}/dry-run", headers=headers)
        checked.raise_for_status()
        out["counts"] = checked.json()["result"]["counts"]
        out["dry_run_s"] = time.perf_counter() - start - out["upload_s"]
        out["dry_run_mib"] = peak_mib(procs[0].pid)
        reset_peak(procs[0].pid)
        http.post(f"{BASE}/imports/{run_id}/run", headers=headers).raise_for_status()
        while (shown := http.get(f"{BASE}/imports/{run_id}", headers=headers).json())["status"] not in ("done", "failed"):
            time.sleep(0.5)
        out["status"] = shown["status"]
        while not any(i["data"]["name"] == last for i in http.get(
                f"{BASE}/records", params={"q": last}, headers=headers).json()["items"]):
            time.sleep(0.2)
        out["seconds"] = time.perf_counter() - start
        out["run_s"] = out["seconds"] - out["upload_s"] - out["dry_run_s"]
        out["searchable_mib"] = peak_mib(procs[0].pid)  # the mirror's sync may have begun: it follows the publish
        reset_peak(procs[0].pid)
        out["mirror_s"] = mirrored(http, headers, rows) - start - out["seconds"]
        out["mirror_mib"] = peak_mib(procs[0].pid)
        out["run_mib"] = max(out["searchable_mib"], out["mirror_mib"])
        out["peak_mib"] = max(out["upload_mib"], out["dry_run_mib"], out["run_mib"])
        out["server_cpu_s"] = cpu_seconds(procs[0].pid) - cpu_before
    db.engine.dispose()
    out["rows_per_s"] = rows / out["seconds"]
    return out


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | rows | xlsx MiB | upload s | dry run s | run to searchable s | total s | rows/s | "
             "then mirrored s | server CPU s | server peak RSS MiB (upload / dry run / run / then mirrored) | status |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        lines.append(f"| {r['database']} | {r['rows']:,} | {r['file_mib']:.1f} | {r['upload_s']:.1f} "
                     f"| {r['dry_run_s']:.1f} | {r['run_s']:.1f} | {r['seconds']:.1f} | {r['rows_per_s']:,.0f} "
                     f"| {r['mirror_s']:.1f} | {r['server_cpu_s']:.1f} | {r['peak_mib']:,.0f} ({r['upload_mib']:,.0f} / {r['dry_run_mib']:,.0f} / "
                     f"{r['searchable_mib']:,.0f} / {r['mirror_mib']:,.0f}) | {r['status']} |")
    return "\n".join(lines)
