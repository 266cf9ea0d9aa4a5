"""The cost of permissions on the list query: a rep's own records and a manager's department tree vs
the administrator's unrestricted list, p50/p95 over the whole HTTP route (in process) and for the
generated query alone.

Organisation: 10 regions under a head office, 2 teams per region, 5 reps per team (100 reps), one
manager per region (department_tree: the region and its two teams, ~10 % of the records). N CRM
customers from demo-data, created by the reps in batches of 1,000 (so each rep owns ~1 % of them and
each record is kept by the rep's team). The list is the default one: newest first, limit 50."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench.databases import fresh_url
from bench.timing import Stopwatch, timed
from runtime import audit
from runtime.accounts import org
from runtime.accounts.users import create_user
from runtime.apps import definitions
from runtime.cli import CRM_TEMPLATE
from runtime.db import schema, tables
from runtime.db.db import Database, open_database
from runtime.demo.generate import generate
from runtime.main import create_app
from runtime.permissions import partition
from runtime.permissions.check import Guard
from runtime.records import events, listing, records
from runtime.records.context import Actor, Change
from runtime.settings import Settings

PG_URL = os.environ.get("TANGRAM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORK = Path(os.environ.get("TANGRAM_BENCH_DIR", "/tmp/tangram-bench"))
REGIONS, TEAMS, REPS_PER_TEAM = 10, 2, 5
BATCH = 1000
PASSWORD = "bench-pass-1"


def database_url(backend: str) -> str:
    return fresh_url(backend, "perm")


def _people(db: Database) -> list[tuple[str, str]]:
    """The organisation and users; returns (rep, team) pairs."""
    now = datetime.now(UTC)
    reps = []
    with db.write() as conn:
        definitions.import_app(conn, json.loads(CRM_TEMPLATE.read_text(encoding="utf-8")), Change(Actor(None)))
        create_user(conn, "admin", PASSWORD, now, is_admin=True)
        org.create_department(conn, "hq", "总部", now)
        for r in range(REGIONS):
            region = f"region{r}"
            org.create_department(conn, region, f"大区{r}", now, parent="hq")
            create_user(conn, f"mgr{r}", PASSWORD, now)
            org.set_user_departments(conn, f"mgr{r}", [region])
            for t in range(TEAMS):
                team = f"{region}_t{t}"
                org.create_department(conn, team, f"{region}组{t}", now, parent=region)
                for p in range(REPS_PER_TEAM):
                    name = f"rep{r}_{t}_{p}"
                    create_user(conn, name, PASSWORD, now)
                    org.set_user_departments(conn, name, [team])
                    reps.append((name, team))
        org.set_role_members(conn, "crm", "sales_rep", [name for name, _ in reps])
        org.set_role_members(conn, "crm", "sales_manager", [f"mgr{r}" for r in range(REGIONS)])
    return reps


def _fill(db: Database, size: int, reps: list[tuple[str, str]]) -> float:
    """Create `size` customers, batch i by rep i mod 100; returns records per second (no audit rows:
    the log is not what is measured here)."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    items = generate(ref.app, "customer", size, seed=1, owners=[r for r, _ in reps])
    events.unsubscribe(audit.record_written)
    try:
        with Stopwatch() as sw:
            batch: list[dict[str, Any]] = []
            for i, item in enumerate(items, 1):
                batch.append(item)
                if len(batch) == BATCH or i == size:
                    rep, team = reps[(i - 1) // BATCH % len(reps)]
                    with db.write() as conn:
                        records.create_many(conn, ref, batch, Change(Actor(rep, department=team)))
                    batch = []
    finally:
        events.after_write(audit.record_written)
    with db.write() as conn:
        conn.exec_driver_sql("ANALYZE")
    return size / sw.seconds


def _login(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def _alone(db: Database, actor: Actor) -> dict[str, float]:
    """The list query with the actor's scope as the route runs it (department scopes partitioned), on its
    own: the gate opened once, then only the query."""
    with db.read() as conn:
        gate = Guard(actor, datetime.now(UTC), ZoneInfo("Asia/Shanghai")).form(conn, "crm", "customer", "read")
        ctx = Change(actor).ctx
        departments = gate.department_partition()
        if departments:
            query = listing.ListQuery(limit=50)
            return timed(lambda: partition.list_by_department(conn, gate.ref, query, departments, ctx), 300)
        scope = gate.where("read")
        query = listing.ListQuery(limit=50, where=[scope] if scope is not None else [])
        page = listing.build_select(conn, gate.ref, query, ctx)[0]
        return timed(lambda: conn.execute(page).all(), 300)


def plain_department_list(db: Database, actor: Actor) -> dict[str, float]:
    """The same department-scoped list as one plain `department IN (…)` query (what partitioning replaces)."""
    with db.read() as conn:
        gate = Guard(actor, datetime.now(UTC), ZoneInfo("Asia/Shanghai")).form(conn, "crm", "customer", "read")
        scope = gate.where("read")
        query = listing.ListQuery(limit=50, where=[scope] if scope is not None else [])
        page = listing.build_select(conn, gate.ref, query, Change(actor).ctx)[0]
        return timed(lambda: conn.execute(page).all(), 100)


def _reuse(backend: str) -> str | None:
    """With TANGRAM_BENCH_REUSE=1, the database a previous run filled (to re-measure without refilling)."""
    if os.environ.get("TANGRAM_BENCH_REUSE") != "1":
        return None
    if backend == "sqlite":
        return f"sqlite:///{WORK}/perm.db" if (WORK / "perm.db").exists() else None
    return PG_URL + "?options=-csearch_path%3Dtangram_bench_perm"


def run(backend: str, size: int) -> dict[str, Any]:
    reused = _reuse(backend)
    url = reused or database_url(backend)
    db = open_database(url)
    out: dict[str, Any] = {"backend": backend, "size": size, "database": db.describe()}
    if reused is None:
        schema.upgrade(db)
        out["fill_rps"] = _fill(db, size, _people(db))
    else:
        tables.metadata.create_all(db.engine)  # tables added to the revision since that run, if any
    app = create_app(Settings(database_url=url), db)
    who = {"admin (all)": ("admin", Actor("admin", 1, True)),
           "rep (own)": ("rep0_0_0", None),
           "manager (department tree)": ("mgr0", None)}
    url_list = "/api/v1/apps/crm/forms/customer/records"
    with TestClient(app) as client:
        for label, (name, actor) in who.items():
            headers = _login(client, name)
            shown = client.get(url_list, params={"limit": 50, "count": "true"}, headers=headers).json()
            http = timed(lambda h=headers: client.get(url_list, params={"limit": 50}, headers=h).raise_for_status(),
                         200)
            with db.read() as conn:
                user_id = conn.scalar(text("SELECT id FROM users WHERE username = :u"), {"u": name})
            alone = _alone(db, actor or Actor(name, user_id))
            out[label] = {"visible": shown["total"], "http": http, "alone": alone}
            if name == "mgr0":
                out["plain department IN"] = plain_department_list(db, Actor(name, user_id))
    db.engine.dispose()
    return out


def table_md(results: list[dict[str, Any]]) -> str:
    lines = ["| database | records | who | visible records | list HTTP p50/p95 ms | vs admin p95 | query alone p50/p95 ms "
             "| vs admin p95 |", "|---|---:|---|---:|---|---:|---|---:|"]
    for r in results:
        base = r["admin (all)"]
        for who in ("admin (all)", "rep (own)", "manager (department tree)"):
            x = r[who]
            lines.append(
                f"| {r['database']} | {r['size']:,} | {who} | {x['visible']:,} "
                f"| {x['http']['p50']:.2f}/{x['http']['p95']:.2f} | {x['http']['p95'] / base['http']['p95']:.2f}× "
                f"| {x['alone']['p50']:.2f}/{x['alone']['p95']:.2f} | {x['alone']['p95'] / base['alone']['p95']:.2f}× |")
        if "plain department IN" in r:
            plain = r["plain department IN"]
            lines.append(f"| {r['database']} | {r['size']:,} | manager, one plain `department IN` query (not used) | "
                         f"| | | {plain['p50']:.2f}/{plain['p95']:.2f} | {plain['p95'] / base['alone']['p95']:.2f}× |")
    return "\n".join(lines)
