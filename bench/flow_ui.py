"""Flows as their users meet them (issue 24), server side through the ASGI app in-process (no network):

- the designer opening a 60-node flow: GET of the designer page, GET of the draft's flows (the JSON the
  designer edits), and the two one after the other — target < 300 ms;
- the inbox of a user with N open tasks (10,000 by default): GET /api/v1/tasks?status=open (its first
  page, 100 tasks) and GET /inbox — target p95 < 50 ms;
- submit to first task: POST …/flows/{flow}/instances, then the approver's GET /api/v1/tasks/{id} of the
  task it opened (the task is written in the submit's transaction: this is the time until the approver can
  read it).

`--browser` (`python -m bench --only flow-ui --browser`) adds the browser's time to draw the 60-node flow:
Chromium (Playwright) from navigation to the 60th `.node` on the canvas, against a live uvicorn."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import Connection, Row, insert, text

from bench.flows import open_app
from bench.records import WORK, database_url
from bench.timing import Stopwatch, percentile, timed, timed_together
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.db.tables import flow_instances, flow_tasks
from runtime.flows import flows
from runtime.main import create_app
from runtime.records import records
from runtime.records.context import Actor, Change
from runtime.settings import Settings

APP = "flowbench"
PASSWORD = "bench-password"
NODES = 60
BATCH = 500


def big_flow(groups: int = NODES // 4) -> dict[str, Any]:
    """A flow of `4 × groups` nodes: per group a condition whose first branch asks for an approval and whose
    default branch updates the record, then a cc — what a long real approval chain looks like."""
    steps: list[dict[str, Any]] = []
    for g in range(groups):
        steps += [{"type": "condition", "name": f"金额判断 {g + 1}", "branches": [
            {"when": f"amount > {1000 * (g + 1)}", "steps": [
                {"type": "approval", "name": f"第 {g + 1} 级审批", "approvers": {"users": ["boss"]}}]},
            {"default": True, "steps": [
                {"type": "action", "action": "update_record", "set": {"note": f'"跳过第 {g + 1} 级"'}}]}]},
            {"type": "cc", "name": f"抄送 {g + 1}", "to": {"users": ["clerk"]}, "message": "{title}"}]
    return {"key": "long_chain", "name": "长审批链", "form": "request", "trigger": {"on": "submit"}, "steps": steps}


def definition() -> dict[str, Any]:
    approve = {"type": "approval", "name": "审批", "approvers": {"users": ["boss"]}}
    return {"format": "tangram/app@1", "key": APP, "name": "流程基准", "forms": [
        {"key": "request", "name": "申请", "title_field": "title", "fields": [
            {"key": "title", "type": "text", "label": "事由", "required": True},
            {"key": "amount", "type": "money", "label": "金额"},
            {"key": "note", "type": "text", "label": "备注"}]}],
        "roles": [{"key": "member", "name": "成员", "permissions": {"*": {"create": True, "read": "all",
                                                                        "update": "all"}}}],
        "flows": [big_flow(),
                  {"key": "approve", "name": "审批", "form": "request", "trigger": {"on": "submit"}, "steps": [approve]},
                  {"key": "quick", "name": "快速审批", "form": "request", "trigger": {"on": "submit"},
                   "steps": [{**approve, "approvers": {"users": ["clerk"]}}]}]}


def nodes(steps: list[dict[str, Any]]) -> int:
    return sum(1 + sum(nodes(b.get("steps", [])) for b in s.get("branches", [])) for s in steps)


def prepare(url: str) -> tuple[Database, dict[str, dict[str, str]]]:
    return open_app(url, definition(), ["admin", "boss", "clerk"], PASSWORD)


def open_tasks(db: Database, count: int) -> float:
    """`count` records each submitted to the one-step flow: `count` open tasks for boss. Seconds taken.
    The first submit runs through the flow runtime; the others are copies of its instance and task rows
    (one per record, the same shape), inserted in bulk — the engine's time is not what this measures."""
    tz = ZoneInfo(Settings(database_url="unused://").timezone)
    change = Change(Actor("admin"))
    with Stopwatch() as sw:
        for start in range(0, count, BATCH):
            with db.write() as conn:
                ref = definitions.form_ref(conn, APP, "request")
                made = records.create_many(conn, ref, [{"title": f"申请 {i}", "amount": i}
                                                       for i in range(start, min(count, start + BATCH))], change)
                if start == 0:
                    first = flows.start(conn, APP, "approve", made[0].id, Actor("admin"), datetime.now(UTC), tz)
                    [task] = flows.tasks_of(conn, None, None, instance_id=first.id)
                    made = made[1:]
                _copies(conn, first, task, [r.id for r in made])
    if db.engine.dialect.name == "postgresql":
        # A live server's autovacuum analyzes a table soon after 10,000 new rows; measured before that, the
        # approver read grant ran on default estimates (0.4 s an inbox page instead of 0.05 s)
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return sw.seconds


def _copies(conn: Connection, instance: Row[Any], task: Row[Any], record_ids: list[int]) -> None:
    if not record_ids:
        return
    shape = {k: v for k, v in instance._mapping.items() if k != "id"}
    ids = list(conn.scalars(insert(flow_instances).returning(flow_instances.c.id, sort_by_parameter_order=True),
                            [{**shape, "record_id": r} for r in record_ids]))
    task_shape = {k: v for k, v in task._mapping.items() if k not in ("id", "instance_id", "record_id")}
    conn.execute(insert(flow_tasks), [{**task_shape, "instance_id": i, "record_id": r}
                                      for i, r in zip(ids, record_ids, strict=True)])


def log_in(client: TestClient, user: str) -> None:
    r = client.post("/login", data={"username": user, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text


def designer(client: TestClient, repeat: int) -> dict[str, dict[str, float]]:
    page, draft = f"/apps/{APP}/builder/flows/long_chain", f"/api/v1/apps/{APP}/draft/flows"
    for url in (page, draft):
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
    shown = next(i["flow"] for i in client.get(draft).json()["items"] if i["flow"]["key"] == "long_chain")
    assert nodes(shown["steps"]) == NODES
    alone = timed_together([lambda: client.get(page), lambda: client.get(draft)], repeat, warmup=3)

    def both() -> None:
        client.get(page)
        client.get(draft)

    return {"page": alone[0], "draft JSON": alone[1], "page + JSON": timed(both, repeat, warmup=2)}


def inbox(client: TestClient, repeat: int, expected: int) -> dict[str, dict[str, float]]:
    api, page = "/api/v1/tasks?status=open", "/inbox"
    assert len(client.get(api).json()["items"]) == min(100, expected)
    assert client.get(page).status_code == 200
    found = timed_together([lambda: client.get(api), lambda: client.get(page)], repeat, warmup=3)
    return {"tasks API, first page": found[0], "inbox page": found[1]}


def inbox_without_task_index(db: Database, client: TestClient, repeat: int) -> dict[str, dict[str, float]]:
    """The inbox page with the approver read grant's index (ix_flow_tasks_record, migration 0025) dropped and
    made again, round after round (5 pages each way a round): what the shared machine does meanwhile weighs on
    both alike."""
    toggles = {"without ix_flow_tasks_record": "DROP INDEX ix_flow_tasks_record",
               "with ix_flow_tasks_record": "CREATE INDEX ix_flow_tasks_record ON flow_tasks (record_id, assignee)"}
    samples: dict[str, list[float]] = {label: [] for label in toggles}
    for _ in range(max(1, repeat // 5)):
        for label, sql in toggles.items():
            with db.engine.begin() as conn:
                conn.execute(text(sql))
            client.get("/inbox")  # unmeasured: the plan is made anew
            for _ in range(5):
                start = time.perf_counter()
                client.get("/inbox")
                samples[label].append((time.perf_counter() - start) * 1000)
    found = {f"inbox page, {label}": {"p50": percentile(times, 50), "p95": percentile(times, 95)}
             for label, times in samples.items()}
    if db.engine.dialect.name == "postgresql":
        found |= grant_query_without_task_index(db, repeat)
    return found


GRANT = ("SELECT records.id FROM records WHERE records.id IN (SELECT id FROM records WHERE form = 'request' "
         "ORDER BY id DESC LIMIT 50) AND records.app = :app AND records.form = 'request' AND records.id IN "
         "(SELECT record_id FROM flow_tasks WHERE assignee = 'boss' AND app = :app AND form = 'request' "
         "AND status != 'handed_over')")
"""The approver read grant as the inbox page asks it (runtime/permissions/approvers.py): may boss read the
page's 50 records through a task of theirs."""


def grant_query_without_task_index(db: Database, repeat: int) -> dict[str, dict[str, float]]:
    """The grant's execution time inside PostgreSQL (EXPLAIN ANALYZE), without the index (dropped in a
    transaction that is rolled back) and with it, alternately: the shared machine's load stays out of it."""
    samples: dict[str, list[float]] = {"without": [], "with": []}
    explain = text(f"EXPLAIN (ANALYZE, FORMAT JSON) {GRANT}")
    with db.engine.connect() as conn:
        for _ in range(repeat):
            for label in samples:
                with conn.begin() as tx:
                    if label == "without":
                        conn.execute(text("DROP INDEX ix_flow_tasks_record"))
                    plan = conn.execute(explain, {"app": APP}).scalar_one()
                    samples[label].append(float(plan[0]["Execution Time"]))
                    tx.rollback()
    return {f"the grant's query in PostgreSQL, {label} ix_flow_tasks_record":
            {"p50": percentile(times, 50), "p95": percentile(times, 95)} for label, times in samples.items()}


def submit_to_task(client: TestClient, headers: dict[str, dict[str, str]], count: int) -> dict[str, float]:
    """Per submit: POST the instance, then the approver reads the task it opened."""
    ids = [client.post(f"/api/v1/apps/{APP}/forms/request/records", headers=headers["admin"],
                       json={"data": {"title": f"提交 {i}", "amount": 10}}).json()["id"] for i in range(count)]
    posts, firsts = [], []
    for record_id in ids:
        start = time.perf_counter()
        r = client.post(f"/api/v1/apps/{APP}/flows/quick/instances", json={"record_id": record_id},
                        headers=headers["admin"])
        posted = time.perf_counter()
        [task] = [t for t in r.json()["tasks"] if t["status"] == "open"]
        seen = client.get(f"/api/v1/tasks/{task['id']}", headers=headers["clerk"])
        done = time.perf_counter()
        assert r.status_code == 201 and seen.status_code == 200, (r.text, seen.text)
        posts.append((posted - start) * 1000)
        firsts.append((done - start) * 1000)
    return {"post_p50": percentile(posts, 50), "post_p95": percentile(posts, 95),
            "first_p50": percentile(firsts, 50), "first_p95": percentile(firsts, 95), "count": count}


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def browser_page(app: Any, **context: Any) -> Iterator[tuple[str, Any]]:
    """A live server for `app` and a headless Chromium page logged in as admin (`context`: the browser
    context's options, e.g. reduced_motion): (the server's base URL, the page)."""
    from playwright.sync_api import sync_playwright

    with live_server(app) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(locale="zh-CN", **context).new_page()
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        try:
            yield base, page
        finally:
            browser.close()


def designer_in_browser(app: Any, repeat: int) -> dict[str, float]:
    """Navigation to the 60th node drawn, in headless Chromium (a warm browser, a logged-in context)."""
    samples = []
    with browser_page(app) as (base, page):
        for n in range(repeat + 2):
            start = time.perf_counter()
            page.goto(f"{base}/apps/{APP}/builder/flows/long_chain")
            page.locator(".node[data-path]").nth(NODES - 1).wait_for(state="attached")
            if n >= 2:  # two unmeasured: the browser's caches warm
                samples.append((time.perf_counter() - start) * 1000)
    return {"p50": percentile(samples, 50), "p95": percentile(samples, 95)}


def run(backend: str, tasks: int, repeat: int = 30, submits: int = 100, browser: bool = False,
        index_effect: bool = False) -> dict[str, Any]:
    db, headers = prepare(database_url(backend))
    seeded = open_tasks(db, tasks)
    app = create_app(Settings(data_dir=WORK, database_url="unused://", embedded_worker=False), db)
    result: dict[str, Any] = {"database": db.describe(), "tasks": tasks, "seed_s": seeded,
                              "date": f"{datetime.now(UTC):%Y-%m-%d}"}
    with TestClient(app) as admin, TestClient(app) as boss:
        log_in(admin, "admin")
        log_in(boss, "boss")
        result["designer"] = designer(admin, repeat)
        result["inbox"] = inbox(boss, repeat, tasks)
        if index_effect:
            result["inbox"] |= inbox_without_task_index(db, boss, repeat)
        result["submit"] = submit_to_task(admin, headers, submits)
    if browser:
        result["browser"] = designer_in_browser(app, max(5, repeat // 3))
    db.engine.dispose()
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = ["| database | what | p50 ms | p95 ms | target |", "|---|---|---:|---:|---|"]
    for r in results:
        db = r["database"]
        for name, t in r["designer"].items():
            target = "< 300 ms" if name == "page + JSON" else ""
            lines.append(f"| {db} | designer, {NODES}-node flow: {name} | {t['p50']:.1f} | {t['p95']:.1f} | {target} |")
        if "browser" in r:
            b = r["browser"]
            lines.append(f"| {db} | designer, {NODES}-node flow: drawn in Chromium | {b['p50']:.0f} | {b['p95']:.0f} "
                         f"| < 300 ms |")
        for name, t in r["inbox"].items():
            lines.append(f"| {db} | inbox with {r['tasks']:,} open tasks: {name} | {t['p50']:.1f} | {t['p95']:.1f} "
                         f"| p95 < 50 ms |")
        s = r["submit"]
        lines.append(f"| {db} | submit (POST instance), {s['count']} submits | {s['post_p50']:.1f} "
                     f"| {s['post_p95']:.1f} | |")
        lines.append(f"| {db} | submit → first task readable by its approver | {s['first_p50']:.1f} "
                     f"| {s['first_p95']:.1f} | |")
    lines += [f"\n{r['database']}: {r['tasks']:,} open tasks seeded (records through storage, instances and tasks "
              f"copied in bulk from one real submit) in "
              f"{r['seed_s']:.0f} s" for r in results]
    return "\n".join(lines)
