"""Duplicate check and pinyin search at scale (issue 26): `python -m bench --only dedup --sizes 100000`.

For each database and size: the CRM template, N customers from demo-data validated as a create would and
written in bulk straight into the records table with their index rows (search words, pinyin spellings,
duplicate keys: what the server writes for them; no history or audit entries), then
(1) the duplicate check alone for a stored name written another way (苏州X有限公司 → X(苏州)有限公司),
(2) a single create with and without the check, one after the other (the check's share of a create),
(3) the list search by pinyin initials and by full pinyin of stored names (first page of 50), and by
initials no record has; (4) the web list page searched by initials, and the total its script asks after. DUPLICATE_SHARE of the customers are seeded as another customer's name written
another way (the 查重 page on them: bench/dedup_groups.py, `--only dedup-groups`). p50/p95 in ms over the
repeats.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
from typing import Any

from fastapi.testclient import TestClient

from bench import records as bench_records
from bench.timing import Stopwatch, percentile, timed, timed_together
from engine.dedup.company import parse_company
from engine.pinyin import spelled
from runtime.apps import definitions
from runtime.db.db import Database
from runtime.demo.generate import generate
from runtime.main import create_app
from runtime.records import duplicates, listing, records, search
from runtime.records.context import Actor, Change
from runtime.settings import Settings

REPEAT = 200
DUPLICATE_SHARE = 0.05


SEED_BATCH = 20_000


def _seed(db: Database, size: int) -> tuple[list[str], float]:
    """N customers written straight into their tables, a transaction per SEED_BATCH: validated as a create
    would (records.validate_many), then the records rows and their index rows (search words, pinyin
    spellings, duplicate keys) in bulk. No history, audit entry or event, which this bench never reads: at a
    million customers create_many took half an hour, this a few minutes. Returns the names and rec/s."""
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    change = Change(Actor("admin"))
    names: list[str] = []
    taken: set[str] = set()
    with Stopwatch() as sw:
        for start in range(0, size, SEED_BATCH):
            count = min(SEED_BATCH, size - start)
            items = list(generate(ref.app, "customer", count, seed=1, owners=bench_records.OWNERS, start=start))
            _copy_names(items, random.Random(start), taken)
            with db.write() as conn:
                datas = records.validate_many(conn, ref, items, change)
                who, now = change.actor.username, change.now
                rows = [
                    {"data": d, "app": ref.app_key, "form": ref.form.key, "version": 1, "def_version": ref.version,
                     "owner": who, "department": None, "created_at": now, "created_by": who, "updated_at": now,
                     "updated_by": who, "deleted_at": None}
                    for d in datas
                ]
                ids = records.insert_records(conn, rows, {})
                search.index_records(conn, ref.form, ids, datas)
                duplicates.file_records(conn, ref.app_key, ref.form, ids, datas)
            names.extend(str(d["name"]) for d in datas)
    return names, size / sw.seconds


def _copy_names(items: list[dict[str, Any]], rng: random.Random, taken: set[str]) -> None:
    """DUPLICATE_SHARE of the batch named as an earlier customer of the batch, written another way (the name
    is unique: a way of writing it already taken is skipped)."""
    taken.add(str(items[0]["name"]))
    for i in range(1, len(items)):
        if rng.random() < DUPLICATE_SHARE:
            copy = _rewritten(str(items[rng.randrange(i)]["name"]))
            if copy not in taken:
                items[i]["name"] = copy
        taken.add(str(items[i]["name"]))


def _rewritten(name: str) -> str:
    """The same company another way: the region moved into brackets, the legal form shortened."""
    parsed = parse_company(name)
    return f"{parsed.core}({parsed.region}){'有限公司'}" if parsed.region else f"{parsed.core}有限公司"


def run(backend: str, size: int) -> dict[str, Any]:
    db = bench_records.prepare(bench_records.database_url(backend))
    names, seed_rps = _seed(db, size)
    bench_records.statistics_as_in_use(db)
    with db.read() as conn:
        ref = definitions.form_ref(conn, "crm", "customer")
    rng = random.Random(7)
    sample = [{"name": names[rng.randrange(size)]} for _ in range(REPEAT)]
    drafts = itertools.cycle([{"name": _rewritten(d["name"])} for d in sample])
    found = 0

    def check() -> None:
        nonlocal found
        with db.read() as conn:
            found += bool(duplicates.find(conn, ref, next(drafts)))

    change = Change(Actor("admin"))
    new = list(generate(ref.app, "customer", 2 * REPEAT + 20, seed=99, owners=bench_records.OWNERS))
    for i, d in enumerate(new):  # the name is unique: a new one, as a user's new customer is
        d["name"] = d["name"].replace("有限公司", f"{i}号有限公司")
    fresh = iter(new)

    def create_plain() -> None:
        with db.write() as conn:
            records.create(conn, ref, next(fresh), change)

    def create_checked() -> None:
        with db.write() as conn:
            row = records.create(conn, ref, next(fresh), change)
            duplicates.refusal(ref, duplicates.find(conn, ref, row.data, exclude=[row.id]), allow=False)

    checked = timed(check, REPEAT)
    found_share = found / (REPEAT + 5)
    plain, with_check = timed_together([create_plain, create_checked], REPEAT)
    ctx = change.ctx
    initials = itertools.cycle([spelled(parse_company(d["name"]).core).split("|")[-1] for d in sample])
    full = itertools.cycle([spelled(parse_company(d["name"]).core).split("|")[0][:12] for d in sample])
    missing = itertools.cycle(["qxzvq", "zzqxjv", "xqzvw"])

    def search(asked: Any) -> Any:
        def go() -> None:
            with db.read() as conn:
                query = listing.ListQuery(search=next(asked), search_in=tuple(ref.form.searched_fields))
                listing.list_records(conn, ref, query, ctx)

        return go

    by_initials, by_full, by_none = timed_together([search(initials), search(full), search(missing)], REPEAT)
    page, total = _list_page(db, initials)
    with db.read() as conn:
        index_initials = _candidates(conn, [next(initials) for _ in range(REPEAT)])
        index_full = _candidates(conn, [next(full) for _ in range(REPEAT)])
    db.engine.dispose()
    return {
        "database": backend,
        "size": size,
        "seed_rps": seed_rps,
        "check": checked,
        "found_share": found_share,
        "create_plain": plain,
        "create_checked": with_check,
        "search_initials": by_initials,
        "search_full": by_full,
        "search_none": by_none,
        "index_initials": index_initials,
        "index_full": index_full,
        "page": page,
        "total": total,
        "load": os.getloadavg(),
    }


def _list_page(db: Database, asked: Any) -> tuple[dict[str, float], dict[str, float]]:
    """The web list page searched by pinyin initials (GET /apps/crm/forms/customer?q=…, drawn without its
    total), and the total its script then asks (the page's data-count-url), timed in turns over HTTP in-process."""
    app = create_app(Settings(data_dir=bench_records.WORK, database_url="unused://"), db)
    with TestClient(app) as client:
        bench_records.log_in(client)
        counts: list[str] = []

        def page() -> None:
            html = client.get(f"/apps/crm/forms/customer?q={next(asked)}").text
            found = re.search(r'data-count-url="([^"]+)"', html)
            assert found, html[-2000:]
            counts.append(found.group(1).replace("&amp;", "&"))

        def total() -> None:
            answer = client.get(counts.pop(0))
            assert answer.status_code == 200 and "total" in answer.json(), answer.text

        return timed_together([page, total], REPEAT)


def _candidates(conn: Any, asked: list[str]) -> dict[str, float]:
    """What the search index gives for these pinyin searches: the median and p95 of its candidates, and how
    many searches it set aside (more than search.CANDIDATES: the list scans)."""
    counts = [search.candidates(conn, a, spelled=True) for a in asked]
    sizes = [len(c) for c in counts if c is not None]
    return {"p50": statistics.median(sizes) if sizes else 0, "p95": percentile(sizes, 95) if sizes else 0,
            "scans": sum(c is None for c in counts), "of": len(counts)}


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        "| database | customers | seeded rec/s | duplicate check p50/p95 ms (found) | create p50/p95 ms "
        "· with check | pinyin initials p50/p95 ms | full pinyin p50/p95 | no match p50/p95 "
        "| index candidates p50/p95 (scans) initials · full | list page by initials p50/p95 · its total after "
        "| load after |",
        "|---|---:|---:|---|---|---|---|---|---|---|---|",
    ]

    def pair(t: dict[str, float]) -> str:
        return f"{t['p50']:.2f}/{t['p95']:.2f}"

    for r in runs:
        lines.append(
            f"| {r['database']} | {r['size']:,} | {r['seed_rps']:,.0f} | {pair(r['check'])} "
            f"({r['found_share']:.0%}) | {pair(r['create_plain'])} · {pair(r['create_checked'])} "
            f"| {pair(r['search_initials'])} | {pair(r['search_full'])} | {pair(r['search_none'])} "
            f"| {_counts(r['index_initials'])} · {_counts(r['index_full'])} | {pair(r['page'])} · {pair(r['total'])} "
            f"| {r['load'][0]:.1f} |"
        )
    return "\n".join(lines)


def _counts(c: dict[str, float]) -> str:
    return f"{c['p50']:.0f}/{c['p95']:.0f} ({c['scans']}/{c['of']})"
